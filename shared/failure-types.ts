/**
 * `ApplicationFailure.type` strings: the stable vocabulary of failures that cross from activities to workflows
 * (and of `nonRetryableErrorTypes`). Never class names, which bundlers may rename.
 */
export const FailureType = {
  /** A plan or message that fails validation; the workflow fails fast and changes nothing. */
  InvalidPlanInput: 'InvalidPlanInput',
  /** Fondo refused the request for good (4xx other than 408/429): retrying cannot help. */
  FondoRejected: 'FondoRejected',
  /** Fondo answered with a body our schema does not accept (its contract changed or is broken). */
  FondoInvalidResponse: 'FondoInvalidResponse',
  /** Transient: Fondo unreachable, timing out, rate limiting or failing (5xx); Temporal retries. */
  FondoUnavailable: 'FondoUnavailable',
  /** A create was ambiguous and the object could not be found or adopted by its reference. */
  ReferenceUnresolved: 'ReferenceUnresolved',
} as const;
export type FailureType = (typeof FailureType)[keyof typeof FailureType];
