/**
 * Fault injection per Fondo route, for testing clients against a misbehaving Fondo:
 * - `429` (with Retry-After), `500`, `503`: answered instead of the request (nothing changes);
 * - `latency`: the request waits `latencyMs` first;
 * - `drop-after-commit`: the request is fully processed (state changes), then the connection is dropped
 *   without a response — the ambiguous timeout every create call must survive.
 * A rule applies with `probability` (default 1) to the next `count` matching requests (default: unlimited).
 * Randomness comes from a seeded generator, so a run with the same seed injects the same faults.
 */
import { z } from 'zod';

export const FaultRuleSchema = z.object({
  /** `METHOD /path/template` as registered (e.g. `POST /v2/partner/client/:client_id/order`), or `*`. */
  route: z.string().min(1),
  kind: z.enum(['429', '500', '503', 'latency', 'drop-after-commit']),
  probability: z.number().min(0).max(1).default(1),
  count: z.number().int().positive().optional(),
  retryAfterSeconds: z.number().int().min(0).default(1),
  latencyMs: z.number().int().min(0).max(120_000).default(0),
});
export type FaultRule = z.infer<typeof FaultRuleSchema> & { id: number; hits: number };

export interface FaultDecision {
  latencyMs: number;
  respond?: { status: number; retryAfterSeconds?: number };
  dropAfterCommit: boolean;
}

export class FaultInjector {
  private rules: FaultRule[] = [];
  private nextId = 1;
  private random: () => number;

  constructor(seed = 42) {
    this.random = mulberry32(seed);
  }

  add(rule: z.infer<typeof FaultRuleSchema>): FaultRule {
    const stored = { ...rule, id: this.nextId++, hits: 0 };
    this.rules.push(stored);
    return stored;
  }

  list(): readonly FaultRule[] {
    return this.rules;
  }

  clear(): void {
    this.rules = [];
  }

  /** Decides the faults for one request to `routeKey`; consumes counted rules that fire. */
  decide(routeKey: string): FaultDecision {
    const decision: FaultDecision = { latencyMs: 0, dropAfterCommit: false };
    for (const rule of this.rules) {
      if (rule.route !== '*' && rule.route !== routeKey) continue;
      if (rule.count !== undefined && rule.hits >= rule.count) continue;
      if (this.random() >= rule.probability) continue;
      rule.hits += 1;
      if (rule.kind === 'latency') decision.latencyMs += rule.latencyMs;
      else if (rule.kind === 'drop-after-commit') decision.dropAfterCommit = true;
      else
        decision.respond ??= {
          status: Number(rule.kind),
          ...(rule.kind === '429' ? { retryAfterSeconds: rule.retryAfterSeconds } : {}),
        };
    }
    this.rules = this.rules.filter((r) => r.count === undefined || r.hits < r.count);
    return decision;
  }
}

function mulberry32(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}
