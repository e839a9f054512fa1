import { ApplicationFailure } from '@temporalio/workflow';

/** A failure's message for an explanation or an attention item (the activity's own message, no payloads). */
export function failureMessage(err: unknown): string {
  if (err instanceof ApplicationFailure) return err.message;
  if (err instanceof Error) return (err.cause instanceof Error ? err.cause.message : undefined) ?? err.message;
  return String(err);
}
