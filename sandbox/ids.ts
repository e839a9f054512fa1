import { randomUUID } from 'node:crypto';
import { incrementBase32, monotonicFactory } from 'ulid';

/**
 * Id factories: `id` is a lower-case UUID v4 (Fondo's `id` pattern); `sortedId` a ULID stamped with business time
 * and strictly increasing, so list order = creation order — also after a restart from a state file, where the
 * factory continues after the largest sortedId already handed out.
 */
export interface IdFactory {
  id(): string;
  sortedId(businessMs: number): string;
}

export function createIdFactory(after?: string): IdFactory {
  const next = monotonicFactory();
  let last = after ?? '';
  return {
    id: () => randomUUID(),
    sortedId: (businessMs) => {
      const candidate = next(businessMs);
      last = candidate > last ? candidate : incrementBase32(last);
      return last;
    },
  };
}
