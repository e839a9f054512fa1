/**
 * Benchmark: the heap each cached workflow pays for the holiday calendar, before and after the generated table.
 *
 * Run: node --expose-gc --import tsx bench/calendar-heap.bench.ts [--copies 200]
 *
 * The SDK's reusable V8 context evaluates the workflow bundle's modules once per cached workflow (a module cache per
 * workflow), so every module-level object of the calendar's dependencies exists once per cached plan. This bench
 * imitates that in one process: it loads fresh copies of the modules (the require cache emptied in between), keeps
 * every copy alive as a workflow cache would, has each copy answer what a plan asks of the calendar (the holidays of
 * two years), and reports the retained heap per copy after a full GC:
 *   before: date-holidays (with moment, moment-timezone, astronomia …) computing the two years' holidays;
 *   after:  shared/banking-days.generated.ts decoded for the same two years, as shared/calendar.ts does.
 */
import { Command } from 'commander';

const options = new Command('calendar-heap')
  .option('--copies <n>', 'fresh module copies kept alive (cached workflows)', Number, 200)
  .parse()
  .opts<{ copies: number }>();

const gc = (globalThis as { gc?: () => void }).gc;
if (!gc) throw new Error('run with node --expose-gc');

function heapAfterGc(): number {
  for (let i = 0; i < 3; i++) gc!();
  return process.memoryUsage().heapUsed;
}

function freshRequire<T>(id: string): T {
  for (const key of Object.keys(require.cache)) {
    if (key.includes('node_modules') || key.includes('banking-days.generated')) delete require.cache[key];
  }
  // eslint-disable-next-line @typescript-eslint/no-require-imports -- a fresh module copy per simulated workflow
  return require(id) as T;
}

type HolidaysCtor = new (country: string, opts: { languages: string[] }) => { getHolidays(year: number): unknown[] };

function engineCopy(): unknown {
  const mod = freshRequire<{ default?: HolidaysCtor } & HolidaysCtor>('date-holidays');
  const Holidays = mod.default ?? mod;
  const engine = new Holidays('SE', { languages: ['sv'] });
  return [engine, engine.getHolidays(2026), engine.getHolidays(2027)];
}

function tableCopy(): unknown {
  const table = freshRequire<{ HOLIDAYS_BY_YEAR: readonly string[]; HOLIDAY_NAMES: readonly string[] }>(
    '../shared/banking-days.generated'
  );
  // What shared/calendar.ts keeps per year: date → name and the set of day numbers.
  const years = [2026, 2027].map((year) => {
    const row = table.HOLIDAYS_BY_YEAR[year - 1900]!;
    const byDate = new Map<string, string>();
    const days = new Set<number>();
    for (let at = 0; at < row.length; at += 5) {
      const date = `${year}-${row.slice(at, at + 2)}-${row.slice(at + 2, at + 4)}`;
      byDate.set(date, table.HOLIDAY_NAMES[parseInt(row.charAt(at + 4), 36)]!);
      days.add(Date.parse(date) / 86_400_000);
    }
    return { byDate, days };
  });
  return [table, years];
}

function measure(name: string, copy: () => unknown): number {
  const kept: unknown[] = [copy()]; // warm: the first copy also compiles the code, which later copies share
  const base = heapAfterGc();
  const started = performance.now();
  for (let i = 0; i < options.copies; i++) kept.push(copy());
  const ms = (performance.now() - started) / options.copies;
  const perCopy = (heapAfterGc() - base) / options.copies;
  console.log(
    `${name.padEnd(40)} ${(perCopy / 1024).toFixed(1).padStart(8)} kB retained per copy, ${ms.toFixed(2)} ms to load and answer (${kept.length} kept)`
  );
  return perCopy;
}

const before = measure('date-holidays engine, 2 years', engineCopy);
const after = measure('generated table, 2 years decoded', tableCopy);
console.log(
  `per cached workflow: ${((before - after) / 1024).toFixed(0)} kB less (${(before / after).toFixed(0)}× smaller)`
);
