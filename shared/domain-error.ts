/**
 * The one error type for bad input to the pure domain engine (deposit split, rebalancing, drift).
 *
 * Rules:
 * - Bad input is a programming or data error, never a transient one: callers must not retry it.
 * - The message names every problem found, each prefixed with the path of the offending field when there is one
 *   (`amount: must be greater than zero`, `allocation[1].instrument: "X" is not in instruments`).
 * - Nothing partial is ever returned alongside it: the engine validates everything before deciding anything.
 */
import { formatIssuePath, formatIssues } from './zod-issues';

/** Stable failure type string for this error (for `ApplicationFailure` types and non-retryable lists). */
export const DOMAIN_INPUT_ERROR_TYPE = 'DomainInputError';

/** Bad input to a domain engine function; `problems` lists each problem, the message joins them. */
export class DomainInputError extends Error {
  override name = DOMAIN_INPUT_ERROR_TYPE;
  /** Each problem found, in the order found. */
  readonly problems: readonly string[];

  /**
   * @param subject what was being validated, e.g. "deposit split input"
   * @param problems at least one problem description
   */
  constructor(subject: string, problems: readonly string[]) {
    super(`invalid ${subject}: ${problems.join('; ')}`);
    this.problems = problems;
  }
}

/**
 * Formats a validation path the way the messages show it: `allocation[2].percent`, `instruments.SE0000000001SEK`,
 * `carry["odd key"]` (the one formatter, shared/zod-issues.ts).
 */
export const formatPath = formatIssuePath;

/** One message per zod issue, prefixed with its path when it has one (shared/zod-issues.ts). */
export const zodProblems = formatIssues;
