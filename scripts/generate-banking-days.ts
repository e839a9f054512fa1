/**
 * Generates shared/banking-days.generated.ts: every Swedish bank holiday (public holidays and bank-free eves, weekends
 * included) of 1900–2100 as a compact table, so the calendar (and with it the workflow bundle) needs no holiday
 * engine at run time. The rules come from the pinned `date-holidays` package plus the documented historical
 * corrections below; test/unit/calendar-table.test.ts checks the committed table against them for every date.
 *
 *   npx tsx scripts/generate-banking-days.ts           # (re)writes shared/banking-days.generated.ts
 *   npx tsx scripts/generate-banking-days.ts --check   # exit code 1 if the committed table is out of date
 *
 * Re-run it after upgrading date-holidays, or after changing a correction, and commit the result.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import Holidays from 'date-holidays';

/** The years the table covers (shared/calendar.ts MIN_YEAR–MAX_YEAR; a test keeps them equal). */
export const TABLE_FIRST_YEAR = 1900;
export const TABLE_LAST_YEAR = 2100;
export const GENERATED_FILE = path.resolve(__dirname, '../shared/banking-days.generated.ts');

/** A day that is not a banking day for a reason other than the weekend, with its Swedish name(s). */
export interface TableHoliday {
  /** `YYYY-MM-DD`. */
  date: string;
  /** Swedish name(s), joined with " / " when two holidays share the date. */
  name: string;
}

/** One holiday as date-holidays returns it; `rule` is the library's stable key from its SE data. */
interface LibraryHoliday {
  date: string;
  name: string;
  type: string;
  rule: string;
}

/** Holiday types of date-holidays that close the banks: public holidays and bank-free days. */
const NON_BANKING_TYPES: ReadonlySet<string> = new Set(['public', 'bank']);

/**
 * A fix for a historical Swedish rule that date-holidays 3.37 (pinned) gets wrong, applied to the library's
 * list before it is filtered to non-banking types. test/unit/calendar.test.ts pins a date on each side of every change.
 */
interface HolidayCorrection {
  readonly reason: string;
  readonly appliesTo: (year: number) => boolean;
  readonly correct: (holidays: LibraryHoliday[], year: number) => LibraryHoliday[];
}

function requireRule(holidays: readonly LibraryHoliday[], rule: string, year: number): LibraryHoliday {
  const found = holidays.find((h) => h.rule === rule);
  // Invariant: the pinned library data has these rules; an upgrade that renames one must revisit the corrections.
  if (!found) throw new Error(`date-holidays has no SE rule "${rule}" for ${year}; review HOLIDAY_CORRECTIONS`);
  return found;
}

function asPublicHoliday(holiday: LibraryHoliday): LibraryHoliday {
  return { ...holiday, type: 'public' };
}

export const HOLIDAY_CORRECTIONS: readonly HolidayCorrection[] = [
  {
    // Lag (1989:253) om allmänna helgdagar listed annandag pingst until its 2004 amendment replaced it by
    // nationaldagen from 2005 (https://sv.wikipedia.org/wiki/Annandag_pingst).
    reason: 'annandag pingst (Easter + 50) was a public holiday until 2004; the library lists it as an observance',
    appliesTo: (year) => year <= 2004,
    correct: (holidays, year) => {
      const whitMonday = requireRule(holidays, 'easter 50', year);
      return holidays.map((h) => (h === whitMonday ? asPublicHoliday(h) : h));
    },
  },
  {
    // https://sv.wikipedia.org/wiki/Första_maj: a public holiday since 1939.
    reason: 'första maj became a public holiday in 1939; the library lists it for every year',
    appliesTo: (year) => year < 1939,
    correct: (holidays, year) => {
      const mayDay = requireRule(holidays, '05-01', year);
      return holidays.filter((h) => h !== mayDay);
    },
  },
  {
    // The 1952 holiday reform, in force from 1953: midsommardagen moved from 24 June to the Saturday 20–26 June,
    // alla helgons dag became a holiday on the Saturday 31 Oct–6 Nov (1 Nov had not been one since 1772), and
    // Marie bebådelsedag (25 March) stopped being a holiday, its feast moving to a Sunday
    // (https://www.isof.se/lar-dig-mer/kunskapsbanker/lar-dig-mer-om-arets-namn-och-handelser/handelser/allhelgonadagen ,
    // …/handelser/jungfru-marie-bebadelsedag ; https://hogtider.wordpress.com/2013/02/15/vad-innebar-kalenderreformen-1953/).
    // Not modelled: any pre-1953 transfer of 25 March when it fell in Holy Week (no source found).
    reason: 'before 1953 midsummer was fixed (eve 23 June, day 24 June), 25 March was a holiday, no alla helgons dag',
    appliesTo: (year) => year < 1953,
    correct: (holidays, year) => {
      const movedAway = [
        requireRule(holidays, 'friday after 06-19', year),
        requireRule(holidays, 'saturday after 06-20', year),
        requireRule(holidays, 'saturday after 10-31', year),
      ];
      const annunciation = requireRule(holidays, '03-25 prior to 1990', year);
      // The bank-free midsummer eve is assumed to follow midsommardagen to the day before it.
      const fixedMidsummer: LibraryHoliday[] = [
        { date: `${year}-06-23`, name: 'midsommarafton', type: 'bank', rule: 'correction: 06-23 prior to 1953' },
        { date: `${year}-06-24`, name: 'midsommardagen', type: 'public', rule: 'correction: 06-24 prior to 1953' },
      ];
      return [
        ...holidays.filter((h) => !movedAway.includes(h)).map((h) => (h === annunciation ? asPublicHoliday(h) : h)),
        ...fixedMidsummer,
      ];
    },
  },
];

let library: Holidays | undefined;

/**
 * The non-banking holidays of `year` (weekends included) in date order, from date-holidays and the corrections:
 * the source of truth the generated table is made from and tested against.
 */
export function libraryBankHolidays(year: number): TableHoliday[] {
  library ??= new Holidays('SE', { languages: ['sv'] });
  // `date` is "YYYY-MM-DD hh:mm:ss" in Swedish local time: its first 10 characters do not depend on the host TZ.
  let holidays: LibraryHoliday[] = library
    .getHolidays(year)
    .map(({ date, name, type, rule }) => ({ date: date.slice(0, 10), name, type, rule }));
  for (const correction of HOLIDAY_CORRECTIONS) {
    if (correction.appliesTo(year)) holidays = correction.correct(holidays, year);
  }
  const byDate = new Map<string, string>();
  for (const h of [...holidays].sort((a, b) => (a.date < b.date ? -1 : a.date > b.date ? 1 : 0))) {
    if (!NON_BANKING_TYPES.has(h.type)) continue;
    const other = byDate.get(h.date);
    byDate.set(h.date, other === undefined ? h.name : `${other} / ${h.name}`);
  }
  return [...byDate].map(([date, name]) => ({ date, name }));
}

/** Name indexes are one base-36 digit in the table. */
const MAX_NAMES = 36;

/** The generated module's source, laid out as Prettier would (so `npm run format:check` leaves it alone). */
export function renderBankingDaysModule(): string {
  const names: string[] = [];
  const rows: string[] = [];
  for (let year = TABLE_FIRST_YEAR; year <= TABLE_LAST_YEAR; year++) {
    let row = '';
    for (const { date, name } of libraryBankHolidays(year)) {
      let index = names.indexOf(name);
      if (index < 0) index = names.push(name) - 1;
      if (index >= MAX_NAMES) throw new Error(`more than ${MAX_NAMES} holiday names; widen the table's name index`);
      row += `${date.slice(5, 7)}${date.slice(8, 10)}${index.toString(36)}`;
    }
    rows.push(`  '${row}', // ${year}`);
  }
  const version = (
    JSON.parse(readFileSync(require.resolve('date-holidays/package.json'), 'utf8')) as { version: string }
  ).version;
  const source = `// Generated by scripts/generate-banking-days.ts from date-holidays ${version} and the corrections in that script.
// Do not edit: re-run \`npx tsx scripts/generate-banking-days.ts\` (test/unit/calendar-table.test.ts checks it is current).

/** First year of {@link HOLIDAYS_BY_YEAR}. */
export const TABLE_FIRST_YEAR = ${TABLE_FIRST_YEAR};
/** Last year of {@link HOLIDAYS_BY_YEAR}. */
export const TABLE_LAST_YEAR = ${TABLE_LAST_YEAR};

/** Swedish names of the holidays, indexed by the table's name digit. */
export const HOLIDAY_NAMES: readonly string[] = [
${names.map((name) => `  ${quote(name)},`).join('\n')}
];

/**
 * One string per year from {@link TABLE_FIRST_YEAR}: the year's non-banking holidays (public holidays and bank-free
 * eves, weekends included) in date order, each as 5 characters \`MMDD\` + the base-36 index of its name.
 */
export const HOLIDAYS_BY_YEAR: readonly string[] = [
${rows.join('\n')}
];
`;
  return source;
}

/** A single-quoted string literal (Prettier's `singleQuote`); holiday names have no quotes or backslashes. */
function quote(text: string): string {
  if (/['\\\n]/.test(text)) throw new Error(`unexpected character in holiday name ${JSON.stringify(text)}`);
  return `'${text}'`;
}

function main(): void {
  const source = renderBankingDaysModule();
  if (process.argv.includes('--check')) {
    const current = readFileSync(GENERATED_FILE, 'utf8');
    if (current !== source) {
      console.error(
        `${path.relative(process.cwd(), GENERATED_FILE)} is out of date: run scripts/generate-banking-days.ts`
      );
      process.exit(1);
    }
    console.log(`${path.relative(process.cwd(), GENERATED_FILE)} is up to date`);
    return;
  }
  writeFileSync(GENERATED_FILE, source);
  console.log(`wrote ${path.relative(process.cwd(), GENERATED_FILE)} (${Buffer.byteLength(source)} bytes)`);
}

if (require.main === module) main();
