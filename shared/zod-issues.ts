/**
 * The one formatter of zod issues (issue 10): every schema failure a caller, a log or an error message shows is
 * `path: message`, with the path written as in code — `allocation[2].percent`, `instruments.SE0000000001SEK`,
 * `carry["odd key"]` — and no path for a root issue. Messages never carry a value that could be personal data: the
 * schemas' messages name the rule, not the input.
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

/** One issue as `path: message` (just the message at the root). */
export function formatIssue(issue: z.core.$ZodIssue): string {
  const path = formatIssuePath(issue.path);
  return path ? `${path}: ${issue.message}` : issue.message;
}

/** Every issue of an error, in order. */
export function formatIssues(error: z.ZodError): string[] {
  return error.issues.map(formatIssue);
}

/** The first issue (the one specific message a CLI user sees). */
export function firstIssue(error: z.ZodError): string {
  const issue = error.issues[0];
  return issue ? formatIssue(issue) : 'invalid';
}
