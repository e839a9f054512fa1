import { spawnSync } from 'node:child_process';
import path from 'node:path';
import { EXIT_FAILED, EXIT_OK, EXIT_USAGE, runSavings } from '../../cli/program';
import { testPayloadKeys } from '../helpers/payload-keys';

const ROOT = path.resolve(__dirname, '../..');
// Nothing listens here (the CLI engineer's port range): a command that gets past its input checks fails with 1.
const NO_TEMPORAL = {
  TEMPORAL_ADDRESS: '127.0.0.1:17599',
  TEMPORAL_NAMESPACE: 'default',
  SAVINGS_PAYLOAD_KEYS: testPayloadKeys(),
};

async function cli(...argv: string[]): Promise<{ code: number; out: string; err: string }> {
  let out = '';
  let err = '';
  const code = await runSavings(argv, {
    out: (t) => (out += t),
    err: (t) => (err += t),
    env: NO_TEMPORAL,
  });
  return { code, out, err };
}

const CREATE = [
  'create',
  '--plan-id',
  'p-1',
  '--client',
  'c-1',
  '--account',
  'a-1',
  '--amount',
  '100.00',
  '--day',
  '5',
];

// Issue 12.4: 2 for every usage error (the parser's included) and refused input; 1 for operational failures.
describe('savings CLI exit codes', () => {
  it.each([
    [
      'missing --plan-id',
      ['create', '--client', 'c-1', '--account', 'a-1', '--amount', '1', '--day', '5'],
      /required option '--plan-id <id>' not specified/,
    ],
    ['unknown option --amout', [...CREATE, '--amout', '5'], /unknown option '--amout'/],
    [
      'invalid --below-minimum keep',
      [...CREATE, '--below-minimum', 'keep'],
      /option '--below-minimum <policy>' argument 'keep' is invalid/,
    ],
    ['invalid --blocked-at-deadline', [...CREATE, '--blocked-at-deadline', 'hold'], /argument 'hold' is invalid/],
    ['unknown command', ['frobnicate', 'p-1'], /unknown command 'frobnicate'/],
    ['no command at all', [], /Usage: savings/],
    ['missing argument', ['status'], /missing required argument 'planId'/],
    ['too many arguments', ['status', 'p-1', 'p-2'], /too many arguments/],
    ['option missing its value', ['list', '--state'], /option '--state <state>' argument missing/],
  ])('%s: exit 2 from the argument parser', async (_name, argv, message) => {
    const r = await cli(...argv);
    expect(r.code).toBe(EXIT_USAGE);
    expect(r.err).toMatch(message);
  });

  it.each([
    ['a bad plan id', ['status', 'P 1'], 'plan id: must be 3–48 characters'],
    ['a personnummer as plan id', ['status', '198003141002'], 'plan id: must not contain 8 or more consecutive digits'],
    ['a bad amount', ['change-amount', 'p-1', '12.345'], 'amount: must have at most 2 decimals'],
    ['a bad day', ['change-day', 'p-1', '31'], 'day of month must be 1–28 or "last", got "31"'],
    ['empty weights', [...CREATE, '--weights', ''], '--weights: item 1 must be FUND=PERCENT'],
    [
      'weights and --fondo',
      ['change-allocation', 'p-1', '--weights', 'A=100', '--fondo'],
      'give exactly one of --weights or --fondo',
    ],
    [
      'an unknown --state',
      ['list', '--state', 'sleeping'],
      '--state: not a plan state; valid states are active, paused',
    ],
    [
      'a personnummer in --reason',
      ['pause', 'p-1', '--reason', 'kund 198003141002 ringde'],
      '--reason: must not hold personal data',
    ],
  ])('%s: exit 2 before anything is sent', async (_name, argv, message) => {
    const r = await cli(...argv);
    expect(r.code).toBe(EXIT_USAGE);
    expect(r.err).toContain(message);
    expect(r.err).not.toContain('cannot reach Temporal');
  });

  it('--help exits 0 and documents the exit codes', async () => {
    const r = await cli('--help');
    expect(r.code).toBe(EXIT_OK);
    expect(r.out).toContain('Exit codes:');
    expect(r.out).toMatch(/2 {2}refused input, nothing changed/);
    expect(r.out).toMatch(/1 {2}the operation failed/);
  });

  it('an operational failure (Temporal unreachable) exits 1', async () => {
    const r = await cli('status', 'p-1');
    expect(r.code).toBe(EXIT_FAILED);
    expect(r.err).toContain('cannot reach Temporal at 127.0.0.1:17599');
  }, 20_000);

  it('a misconfigured environment exits 1 naming the variable', async () => {
    let err = '';
    const code = await runSavings(['status', 'p-1'], {
      out: () => undefined,
      err: (t) => (err += t),
      env: { TEMPORAL_ADDRESS: '' },
    });
    expect(code).toBe(EXIT_FAILED);
    expect(err).toContain('TEMPORAL_ADDRESS');
  });

  it('the installed bin exits with the same codes as a process', () => {
    const run = (...args: string[]) =>
      spawnSync(process.execPath, [path.join(ROOT, 'cli/bin.js'), ...args], {
        cwd: ROOT,
        env: { ...process.env, ...NO_TEMPORAL },
        encoding: 'utf8',
      });
    const unknownOption = run(...CREATE, '--amout', '5');
    expect(unknownOption.status).toBe(EXIT_USAGE);
    expect(unknownOption.stderr).toContain("unknown option '--amout'");
    const refused = run('list', '--state', 'sleeping');
    expect(refused.status).toBe(EXIT_USAGE);
    expect(refused.stdout).toBe('');
  }, 60_000);
});
