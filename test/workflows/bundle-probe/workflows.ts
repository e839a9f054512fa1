/**
 * Workflows bundled only by test/workflows/workflow-bundle.test.ts (their own workflowsPath, the worker's webpack
 * hook): they run the calendar inside the trimmed bundle and compare it with the results the test computed in Node.
 */
import Holidays from 'date-holidays';
import { sleep } from '@temporalio/workflow';
import { evaluate, probeCases, type ProbeCase, type ProbeFunction } from './cases';

export interface ProbeMismatch extends ProbeCase {
  expected: string | undefined;
  actual: string;
}

export interface ProbeReport {
  /** Cases evaluated in the bundle, and expected results received from Node. */
  cases: number;
  expected: number;
  counts: Partial<Record<ProbeFunction, number>>;
  mismatchCount: number;
  /** The first {@link MAX_REPORTED} mismatches. */
  mismatches: ProbeMismatch[];
  /** What `new Holidays('NO')` does inside the bundle (only SE data is bundled). */
  otherCountry: string;
}

const MAX_REPORTED = 20;
const CASES_PER_TASK = 250;
const EXCERPT_CONTEXT = 80;

/** Long results (a year of holidays is ~4 kB) are cut to the neighbourhood of their first difference. */
function excerpts(expected: string | undefined, actual: string): { expected: string | undefined; actual: string } {
  if (expected === undefined || Math.max(expected.length, actual.length) <= 2 * EXCERPT_CONTEXT) {
    return { expected, actual };
  }
  let at = 0;
  while (at < expected.length && expected[at] === actual[at]) at++;
  const cut = (text: string): string =>
    `${at > EXCERPT_CONTEXT ? `…[${at - EXCERPT_CONTEXT}]` : ''}${text.slice(Math.max(0, at - EXCERPT_CONTEXT), at + EXCERPT_CONTEXT)}…`;
  return { expected: cut(expected), actual: cut(actual) };
}

export async function calendarProbeWorkflow(expected: readonly string[]): Promise<ProbeReport> {
  const cases = probeCases();
  const counts: Partial<Record<ProbeFunction, number>> = {};
  const mismatches: ProbeMismatch[] = [];
  let mismatchCount = 0;
  for (const [index, probe] of cases.entries()) {
    // A new workflow task per function, every CASES_PER_TASK cases and per holiday-engine year (the engine's first
    // year builds its rules) keeps each task well under the SDK's deadlock detection and 5 s script timeout, also on
    // a loaded machine.
    const newTask = cases[index - 1]?.fn !== probe.fn || index % CASES_PER_TASK === 0 || probe.fn === 'holidayEngine';
    if (index > 0 && newTask) await sleep(1);
    counts[probe.fn] = (counts[probe.fn] ?? 0) + 1;
    const actual = evaluate(probe);
    if (actual !== expected[index]) {
      mismatchCount++;
      if (mismatches.length < MAX_REPORTED) mismatches.push({ ...probe, ...excerpts(expected[index], actual) });
    }
  }
  let otherCountry: string;
  try {
    otherCountry = `returned ${new Holidays('NO').getHolidays(2025).length} holidays`;
  } catch (err) {
    otherCountry = `throws ${String(err)}`;
  }
  return { cases: cases.length, expected: expected.length, counts, mismatchCount, mismatches, otherCountry };
}
