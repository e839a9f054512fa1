import { z } from 'zod';
import { firstIssue, formatIssue, formatIssuePath, formatIssues } from '../../shared/zod-issues';

const Schema = z.object({
  allocation: z.array(z.object({ percent: z.string().regex(/^\d+$/, 'must be digits') })),
  carry: z.record(z.string(), z.number()),
});
const error = Schema.safeParse({ allocation: [{ percent: '1' }, { percent: 'x' }], carry: { 'odd key': 'n' } }).error!;

// Issue 10: one zod issue formatter for the CLI, the engine's DomainInputError, the processes' configuration and the
// Fondo client (which keeps its wire-style paths through options).
describe('the one zod issue formatter', () => {
  it('writes paths as code does', () => {
    expect(formatIssuePath(['allocation', 2, 'percent'])).toBe('allocation[2].percent');
    expect(formatIssuePath(['carry', 'odd key'])).toBe('carry["odd key"]');
    expect(formatIssuePath(['instruments', 'SE0007100128SEK'])).toBe('instruments.SE0007100128SEK');
    expect(formatIssuePath([])).toBe('');
  });

  it('formats every issue as path: message, and the first for a CLI', () => {
    expect(formatIssues(error)).toEqual([
      'allocation[1].percent: must be digits',
      'carry["odd key"]: Invalid input: expected number, received string',
    ]);
    expect(firstIssue(error)).toBe('allocation[1].percent: must be digits');
    expect(firstIssue(z.string().safeParse(1).error!)).toBe('Invalid input: expected string, received number');
  });

  it("keeps the documented shapes of the environment's and Fondo's messages through options", () => {
    const env = z.object({ FONDO_TIMEOUT_MS: z.string().regex(/^\d+$/, 'must be a whole number') });
    const envError = env.safeParse({ FONDO_TIMEOUT_MS: 'soon' }).error!;
    expect(formatIssues(envError, { pathStyle: 'dotted', separator: ' ' })).toEqual([
      'FONDO_TIMEOUT_MS must be a whole number',
    ]);
    expect(formatIssues(error, { pathStyle: 'dotted', rootLabel: '(root)' })[0]).toBe(
      'allocation.1.percent: must be digits'
    );
    const root = z.string().safeParse(5).error!.issues[0]!;
    expect(formatIssue(root, { rootLabel: '(env)' })).toBe('(env): Invalid input: expected string, received number');
  });
});
