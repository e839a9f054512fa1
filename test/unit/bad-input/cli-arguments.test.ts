import { runCliInProcess } from '../../helpers/cli-in-process';

// Bad-input corpus (issue 12.6), CLI arguments: each case exits 2 with its specific message, before anything is
// sent. Temporal "lives" at a port where nothing listens: had the CLI tried to send, it would exit 1 instead.
const NO_TEMPORAL = { TEMPORAL_ADDRESS: '127.0.0.1:17598', TEMPORAL_NAMESPACE: 'default' };
const C = ['--client', 'c0000000-0000-4000-8000-000000000001', '--account', 'a0000000-0000-4000-8000-000000000001'];
const CREATE = ['create', '--plan-id', 'p-1', ...C, '--amount', '1500.00', '--day', '25'];
const create = (...override: string[]): string[] => {
  const args = [...CREATE];
  for (let i = 0; i < override.length; i += 2) {
    const at = args.indexOf(override[i]!);
    if (at >= 0) args[at + 1] = override[i + 1]!;
    else args.push(override[i]!, override[i + 1]!);
  }
  return args;
};
const without = (flag: string): string[] => {
  const at = CREATE.indexOf(flag);
  return [...CREATE.slice(0, at), ...CREATE.slice(at + 2)];
};

export const CLI_ARGUMENT_CASES: [string, string[], string | RegExp][] = [
  // parser: commands, options, arguments
  ['unknown command', ['frobnicate'], "unknown command 'frobnicate'"],
  ['misspelt command', ['stauts', 'p-1'], "unknown command 'stauts'"],
  ['no command', [], /Usage: savings/],
  ['unknown global option', ['--jsn', 'list'], "unknown option '--jsn'"],
  ['unknown option --amout', [...CREATE, '--amout', '5'], "unknown option '--amout'"],
  ['missing --plan-id', without('--plan-id'), "required option '--plan-id <id>' not specified"],
  ['missing --client', without('--client'), "required option '--client <clientId>' not specified"],
  ['missing --account', without('--account'), "required option '--account <accountId>' not specified"],
  ['missing --amount', without('--amount'), "required option '--amount <sek>' not specified"],
  ['missing --day', without('--day'), "required option '--day <day>' not specified"],
  ['--below-minimum keep', create('--below-minimum', 'keep'), "argument 'keep' is invalid"],
  ['--blocked-at-deadline hold', create('--blocked-at-deadline', 'hold'), "argument 'hold' is invalid"],
  ['status without a plan id', ['status'], "missing required argument 'planId'"],
  ['status with two plan ids', ['status', 'p-1', 'p-2'], 'too many arguments'],
  ['change-amount without amount', ['change-amount', 'p-1'], "missing required argument 'amount'"],
  ['change-day without day', ['change-day', 'p-1'], "missing required argument 'day'"],
  ['--state without a value', ['list', '--state'], "option '--state <state>' argument missing"],
  ['--reason without a value', ['pause', 'p-1', '--reason'], "option '--reason <text>' argument missing"],
  ['resume with an option it does not have', ['resume', 'p-1', '--reason', 'x'], "unknown option '--reason'"],
  // plan ids
  ['plan id with upper case', create('--plan-id', 'P-1'), 'planId: must be 3–48 characters'],
  ['plan id too short', create('--plan-id', 'p1'), 'planId: must be 3–48 characters'],
  ['plan id with a space', ['status', 'p 1'], 'plan id: must be 3–48 characters'],
  ['plan id ending in -', ['status', 'p-1-'], 'plan id: must be 3–48 characters'],
  ['plan id of 49 characters', ['status', `p${'a'.repeat(48)}`], 'plan id: must be 3–48 characters'],
  [
    'plan id that is a personnummer',
    ['status', '198003141002'],
    'plan id: must not contain 8 or more consecutive digits',
  ],
  [
    'plan id hiding a personnummer',
    create('--plan-id', 'kund-19800314-1002'),
    'planId: must not contain 8 or more consecutive digits',
  ],
  // amounts
  ['amount with 3 decimals', create('--amount', '12.345'), 'amount: must have at most 2 decimals, got "12.345"'],
  ['amount zero', create('--amount', '0'), 'amount: must be greater than zero'],
  ['amount negative', create('--amount', '-100'), 'amount: must not be negative'],
  ['amount in exponent form', create('--amount', '1e3'), /amount: .*decimal string/],
  ['amount with a comma', create('--amount', '1500,00'), /amount: .*decimal string/],
  ['amount above the maximum', create('--amount', '1000000.01'), 'amount: must be at most 1000000.00 SEK'],
  ['amount empty', create('--amount', ''), /amount: /],
  ['change-amount with 3 decimals', ['change-amount', 'p-1', '1.001'], 'amount: must have at most 2 decimals'],
  ['change-amount not a number', ['change-amount', 'p-1', 'lots'], /amount: .*decimal string/],
  // days and periods
  ['day 31', create('--day', '31'), 'day of month must be 1–28 or "last", got "31"'],
  ['day 0', create('--day', '0'), 'day of month must be 1–28 or "last", got "0"'],
  ['day first', create('--day', 'first'), 'day of month must be 1–28 or "last", got "first"'],
  ['change-day 29', ['change-day', 'p-1', '29'], 'day of month must be 1–28 or "last", got "29"'],
  ['first period 2026-13', create('--first-period', '2026-13'), /firstPeriod: /],
  ['first period as a date', create('--first-period', '2026-12-01'), /firstPeriod: /],
  [
    'last period before first',
    create('--first-period', '2027-05', '--last-period', '2027-01'),
    'lastPeriod: must not be before firstPeriod 2027-05',
  ],
  // weights
  ["weights ''", create('--weights', ''), '--weights: item 1 must be FUND=PERCENT'],
  ['weights without percent', create('--weights', 'SE0007100128SEK'), '--weights: item 1 must be FUND=PERCENT'],
  ['weights with two =', create('--weights', 'A=50=50'), '--weights: item 1 must be FUND=PERCENT'],
  ['weights summing to 90', create('--weights', 'A=60,B=30'), '--weights: percentages sum to 90, expected exactly 100'],
  [
    'weights summing to 110',
    create('--weights', 'A=60,B=50'),
    '--weights: percentages sum to 110, expected exactly 100',
  ],
  ['weights with a duplicate fund', create('--weights', 'A=50,A=50'), '--weights: duplicate fund A'],
  ['weights with a zero percent', create('--weights', 'A=100,B=0'), /--weights: \[1\]\.percent: /],
  [
    'weights with 3 decimals',
    create('--weights', 'A=33.333,B=66.667'),
    /--weights: \[0\]\.percent: must have at most 2 decimals/,
  ],
  [
    'weights with a negative percent',
    create('--weights', 'A=150,B=-50'),
    /--weights: \[1\]\.percent: must not be negative/,
  ],
  ['change-allocation with neither source', ['change-allocation', 'p-1'], 'give exactly one of --weights or --fondo'],
  [
    'change-allocation with both sources',
    ['change-allocation', 'p-1', '--weights', 'A=100', '--fondo'],
    'give exactly one of --weights or --fondo',
  ],
  [
    "change-allocation --weights ''",
    ['change-allocation', 'p-1', '--weights', ''],
    '--weights: item 1 must be FUND=PERCENT',
  ],
  // policies
  [
    'blocked deadline not a number',
    create('--blocked-deadline-days', 'ten'),
    '--blocked-deadline-days: must be a whole number, got "ten"',
  ],
  ['blocked deadline 0', create('--blocked-deadline-days', '0'), /policies: blockedLeg\.deadlineBankingDays: /],
  ['kyc deadline 500', create('--kyc-deadline-days', '500'), /policies: kyc\.deadlineDays: /],
  [
    'cooldown negative',
    create('--rebalance-band-abs', '5', '--cooldown-days', '-1'),
    '--cooldown-days: must be a whole number, got "-1"',
  ],
  ['band not a number', create('--rebalance-band-abs', 'wide'), /rebalance policy: band\.absolutePp: /],
  [
    'min trade with 3 decimals',
    create('--rebalance-band-abs', '5', '--min-trade', '1.005'),
    /rebalance policy: minTradeAmount: must have at most 2 decimals/,
  ],
  [
    'calendar weekly',
    create('--rebalance-calendar', 'weekly:1'),
    '--rebalance-calendar: frequency must be monthly, quarterly or yearly, got "weekly"',
  ],
  ['calendar without a day', create('--rebalance-calendar', 'monthly'), '--rebalance-calendar: needs a day'],
  [
    'calendar month 13',
    create('--rebalance-calendar', 'yearly:1:13'),
    '--rebalance-calendar: month must be 1–12, got "13"',
  ],
  ['calendar day 30', create('--rebalance-calendar', 'monthly:30'), 'day of month must be 1–28 or "last", got "30"'],
  [
    'set-rebalance-policy with a bad band',
    ['set-rebalance-policy', 'p-1', '--rebalance-band-rel', 'x'],
    /rebalance policy: band\.relativePct: /,
  ],
  // list filters
  ['--state unknown', ['list', '--state', 'sleeping'], '--state: not a plan state; valid states are active, paused'],
  ['--state in upper case', ['list', '--state', 'ACTIVE'], '--state: not a plan state'],
  ['--state with a quote (query injection)', ['list', '--state', "active' OR 'a'='a"], '--state: not a plan state'],
  [
    '--client with a quote (query injection)',
    ['list', '--client', "x' OR WorkflowType != '"],
    '--client: only letters, digits and "-" are allowed',
  ],
  // free text
  [
    'pause reason with a personnummer',
    ['pause', 'p-1', '--reason', 'kund 198003141002 ringde'],
    '--reason: must not hold personal data: a personnummer or samordningsnummer (rule personnummer)',
  ],
  ['pause reason with a short personnummer', ['pause', 'p-1', '--reason', '800314-1002'], '(rule personnummer)'],
  ['pause reason with a samordningsnummer', ['pause', 'p-1', '--reason', 'id 800374-1009'], '(rule personnummer)'],
  [
    'pause reason with an IBAN',
    ['pause', 'p-1', '--reason', 'byter till SE37 5000 0000 0583 9829 9999'],
    '(rule iban)',
  ],
  ['pause reason with a bank account', ['pause', 'p-1', '--reason', 'konto 5000 0583 99999'], '(rule bank-account)'],
  ['cancel reason with an e-mail address', ['cancel', 'p-1', '--reason', 'se anna@example.se'], '(rule email)'],
  [
    'cancel reason too long',
    ['cancel', 'p-1', '--reason', 'x'.repeat(501)],
    '--reason: must be at most 500 characters',
  ],
];

describe('bad-input corpus: CLI arguments', () => {
  it.each(CLI_ARGUMENT_CASES)('%s: exit 2, specific message, nothing sent', async (_name, argv, message) => {
    const r = await runCliInProcess(argv, NO_TEMPORAL);
    if (typeof message === 'string') expect(r.err).toContain(message);
    else expect(r.err).toMatch(message);
    expect(r.code).toBe(2);
    expect(r.err).not.toContain('cannot reach Temporal');
    expect(r.out).toBe('');
  });

  it('never echoes personal data it refuses', async () => {
    const r = await runCliInProcess(['pause', 'p-1', '--reason', 'kund 198003141002, anna@example.se'], NO_TEMPORAL);
    expect(r.code).toBe(2);
    expect(r.err).not.toContain('198003141002');
    expect(r.err).not.toContain('anna@example.se');
  });
});
