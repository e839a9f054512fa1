/**
 * Activity option sets, declared once. Every set states its timeouts and its full retry policy; business
 * failures (refusals, invalid responses, unresolved references) are never retried, transient ones (network,
 * timeouts, 429/5xx — honouring Retry-After) are retried for as long as Fondo needs to recover: a savings cycle
 * waits through an outage instead of failing.
 *
 * The backoff is capped at one minute (it was 10 minutes: under a fault run one activity's backoff passed 10
 * minutes and stalled its cycle long after Fondo had recovered), so a cycle moves within about a minute of Fondo
 * answering again. A retry costs one HTTP call, a one-minute cap is at most 60 calls an hour per waiting activity.
 * A Retry-After from Fondo still decides the delay of that attempt: the activity sets it as the failure's
 * `nextRetryDelay` (activities/fondo-failure.ts), which Temporal uses instead of the policy's interval.
 */
import type { ActivityOptions } from '@temporalio/workflow';
import { FailureType } from '../shared/failure-types';

const NON_RETRYABLE = [
  FailureType.FondoRejected,
  FailureType.FondoInvalidResponse,
  FailureType.ReferenceUnresolved,
  FailureType.InvalidPlanInput,
];

/** The longest wait between two attempts of a transiently failing activity. */
const MAX_RETRY_INTERVAL = '1 minute';

/** Reads: cheap, idempotent. */
export const fondoRead: ActivityOptions = {
  startToCloseTimeout: '1 minute',
  retry: {
    initialInterval: '2 seconds',
    backoffCoefficient: 2,
    maximumInterval: MAX_RETRY_INTERVAL,
    nonRetryableErrorTypes: NON_RETRYABLE,
  },
};

/**
 * Creates that move money (payments, orders): check-before-create makes every retry safe. The start-to-close
 * timeout is six times the 10 s HTTP timeout, so an attempt is not retried while the previous one may still run,
 * and short enough that an attempt lost with its worker is retried within a minute.
 */
export const fondoWrite: ActivityOptions = {
  startToCloseTimeout: '1 minute',
  retry: {
    initialInterval: '5 seconds',
    backoffCoefficient: 2,
    maximumInterval: MAX_RETRY_INTERVAL,
    nonRetryableErrorTypes: NON_RETRYABLE,
  },
};
