/**
 * The one formatter of zod issues (issue 10), replacing five hand-written ones. By default an issue reads
 * `path: message` with the path written as in code — `allocation[2].percent`, `instruments.SE0000000001SEK`,
 * `carry["odd key"]` — and no path for a root issue. Two boundaries keep their documented shapes through options:
 * environment variables read `FONDO_CLIENT_ID is required …` (`separator: ' '`), and Fondo's wire paths read
 * `0.amount` (`pathStyle: 'dotted'`) with `(root)` for the root. Messages never carry a value that could be personal
 * data: the schemas' messages name the rule, not the input.
 */
import type { z } from 'zod';

const IDENTIFIER = /^[A-Za-z_$][\w$]*$/;

/** A validation path as code writes it: `allocation[2].percent`, `carry["odd key"]`; '' for the root. */
export function formatIssuePath(path: readonly PropertyKey[]): string {
  let out = '';
  for (const key of path) {
    if (typeof key === 'number') out += `[${key}]`;
    else if (typeof key === 'string' && IDENTIFIER.test(key)) out += out === '' ? key : `.${key}`;
    else out += `[${JSON.stringify(String(key))}]`;
  }
  return out;
}

/** How {@link formatIssue} writes an issue; the defaults give `allocation[2].percent: message`. */
export interface IssueFormat {
  /** `code` (default): `allocation[2].percent`; `dotted`: `allocation.2.percent` (Fondo's wire paths). */
  pathStyle?: 'code' | 'dotted';
  /** Written for an issue without a path (default: nothing, just the message). */
  rootLabel?: string;
  /** Between path and message (default `': '`). */
  separator?: string;
}

/** One issue as `path: message` (just the message at the root, unless `rootLabel`). */
export function formatIssue(issue: z.core.$ZodIssue, format: IssueFormat = {}): string {
  const path =
    format.pathStyle === 'dotted' ? issue.path.map((key) => String(key)).join('.') : formatIssuePath(issue.path);
  const label = path || format.rootLabel;
  return label ? `${label}${format.separator ?? ': '}${issue.message}` : issue.message;
}

/** Every issue of an error, in order. */
export function formatIssues(error: z.ZodError, format: IssueFormat = {}): string[] {
  return error.issues.map((issue) => formatIssue(issue, format));
}

/** The first issue (the one specific message a CLI user sees). */
export function firstIssue(error: z.ZodError, format: IssueFormat = {}): string {
  const issue = error.issues[0];
  return issue ? formatIssue(issue, format) : 'invalid';
}
