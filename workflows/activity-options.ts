/**
 * Activity option sets, declared once. Every set states its timeouts and its full retry policy; business
 * failures (refusals, invalid responses, unresolved references) are never retried, transient ones (network,
 * timeouts, 429/5xx — honouring Retry-After) are retried for as long as Fondo needs to recover: a savings cycle
 * waits through an outage instead of failing.
 */
import type { ActivityOptions } from '@temporalio/workflow';
import { FailureType } from '../shared/failure-types';

const NON_RETRYABLE = [
  FailureType.FondoRejected,
  FailureType.FondoInvalidResponse,
  FailureType.ReferenceUnresolved,
  FailureType.InvalidPlanInput,
];

/** Reads: cheap, idempotent. */
export const fondoRead: ActivityOptions = {
  startToCloseTimeout: '1 minute',
  retry: {
    initialInterval: '2 seconds',
    backoffCoefficient: 2,
    maximumInterval: '10 minutes',
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
    maximumInterval: '10 minutes',
    nonRetryableErrorTypes: NON_RETRYABLE,
  },
};
