import { Context } from '@temporalio/activity';
import { ApplicationFailure } from '@temporalio/common';
import { isFondoError, type FondoError } from '../fondo';
import { FailureType } from '../shared/failure-types';

/**
 * Turns a Fondo client failure into the ApplicationFailure Temporal acts on: retryable kinds (network, timeout,
 * 408/429/5xx) stay retryable and honour Retry-After through `nextRetryDelay`; everything else is non-retryable
 * with a stable type; an abort by the activity's own cancellation becomes that cancellation. The message carries
 * no personal data (the client's messages never include bodies or query values). Other errors pass through
 * unchanged (Temporal retries them).
 */
export function toActivityFailure(err: unknown): unknown {
  if (!isFondoError(err)) return err;
  if (err.kind === 'aborted') {
    // Our own cancellation signal aborted the request (the workflow cancelled the activity, or the worker is
    // shutting down): surface the cancellation itself, so Temporal cancels or retries — never a business failure.
    const signal = Context.current().cancellationSignal;
    return signal.aborted
      ? (signal.reason as unknown)
      : ApplicationFailure.retryable(err.message, FailureType.FondoUnavailable);
  }
  const type = err.retryable
    ? FailureType.FondoUnavailable
    : err.kind === 'invalid-response' || err.kind === 'malformed-response'
      ? FailureType.FondoInvalidResponse
      : FailureType.FondoRejected;
  return ApplicationFailure.create({
    type,
    message: err.message,
    nonRetryable: !err.retryable,
    ...(err.retryAfterMs !== undefined ? { nextRetryDelay: err.retryAfterMs } : {}),
    details: [{ kind: err.kind, status: err.status ?? null, fondoError: err.fondoError ?? null }],
  });
}

/** Runs a Fondo call, mapping its failures for Temporal. */
export async function fondoCall<T>(call: () => Promise<T>): Promise<T> {
  try {
    return await call();
  } catch (err) {
    throw toActivityFailure(err);
  }
}

/** A business refusal (422) or rule violation Fondo reports for one request. */
export function isRefusal(err: unknown): err is FondoError {
  return isFondoError(err) && (err.kind === 'unprocessable' || err.kind === 'bad-request');
}
