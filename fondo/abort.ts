/**
 * Waiting on a shared promise (a token request, a shared read) for one caller that may give up: the caller's signal
 * ends its wait, never the promise, which goes on for its other waiters.
 */

/** `promise`, or `abortError()` as soon as `signal` aborts (also at once when it already has). */
export function untilAborted<T>(
  promise: Promise<T>,
  signal: AbortSignal,
  abortError: () => Error = () => signal.reason as Error
): Promise<T> {
  if (signal.aborted) return Promise.reject(abortError());
  return new Promise<T>((resolve, reject) => {
    const onAbort = () => reject(abortError());
    signal.addEventListener('abort', onAbort, { once: true });
    promise.then(resolve, reject).finally(() => signal.removeEventListener('abort', onAbort));
  });
}
