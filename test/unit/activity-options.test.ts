import { msToNumber } from '@temporalio/common/lib/time';
import { FailureType } from '../../shared/failure-types';
import { fondoRead, fondoWrite } from '../../workflows/activity-options';

// Issue 16: under a fault run one activity's backoff grew past 10 minutes and stalled its cycle long after Fondo had
// recovered. The cap keeps a cycle within about a minute of Fondo answering again; attempts never overlap.
describe('activity retry options', () => {
  it.each([
    ['reads', fondoRead],
    ['writes', fondoWrite],
  ])(
    '%s: backoff capped at a minute, unlimited attempts for transient failures, business failures never retried',
    (_, options) => {
      const retry = options.retry!;
      expect(msToNumber(retry.maximumInterval)).toBe(60_000);
      expect(msToNumber(retry.initialInterval)).toBeLessThanOrEqual(msToNumber(retry.maximumInterval));
      expect(retry.maximumAttempts).toBeUndefined();
      expect(retry.nonRetryableErrorTypes).toEqual(
        expect.arrayContaining([
          FailureType.FondoRejected,
          FailureType.FondoInvalidResponse,
          FailureType.ReferenceUnresolved,
        ])
      );
      // An attempt is not retried while the one before may still run (the HTTP timeout is 10 s).
      expect(msToNumber(options.startToCloseTimeout)).toBeGreaterThanOrEqual(6 * 10_000);
    }
  );
});
