import { isFondoError, type FondoError } from '../../../fondo';

/** The FondoError a call rejects with; fails the test if it resolves or rejects with anything else. */
export async function failureOf(promise: Promise<unknown>): Promise<FondoError> {
  const error = await promise.then(
    () => undefined,
    (e: unknown) => e
  );
  if (!isFondoError(error)) throw new Error(`expected a FondoError, got ${String(error)}`);
  return error;
}
