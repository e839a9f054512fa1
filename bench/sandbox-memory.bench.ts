/**
 * Benchmark: Fondo sandbox memory for 10,000 accounts (target: well under 1 GB), in one process.
 *
 * Run: node --expose-gc --import tsx bench/sandbox-memory.bench.ts
 *      (options: --accounts <n>, default 10000; --orders-per-account <0-2>, default 2)
 *
 * Drives `SandboxEngine` directly (no HTTP), on the default seed with a manual clock at Monday 2026-11-23 09:00
 * Stockholm, and measures after a forced full GC (`global.gc`) at each phase:
 *   1. the engine on the seed alone (modules loaded, 9 seed accounts);
 *   2. + 10,000 accounts of client 1 via `SandboxEngine#createAccount`, each with 1–3 positions, one validated
 *      bank account and an allocation plan over 1–3 funds;
 *   3. + orders via `createOrder` (as POST …/order does): per account a 500 SEK subscription and a redemption of
 *      1 unit of its first position, each with a clientRef;
 *   4. + 5 business days on the clock: every order is sent, confirmed and settled (fund and cash transactions,
 *      account and order events), i.e. the state after a full order lifecycle.
 * It also times each phase and the serialisation of the whole state as the state file would write it.
 * heapUsed = V8 heap in use; RSS = resident set of the process (all memory, including code and buffers); peak
 * RSS = the process's maximum resident set over the whole run (getrusage), serialisation included.
 */
import { LosslessNumber } from 'lossless-json';
import { Command } from 'commander';
import os from 'node:os';
import { SandboxEngine } from '../sandbox/engine';
import { createOrder } from '../sandbox/orders';
import { readSeedFile, type SeedAccountInput } from '../sandbox/seed';

const CLIENT = 'c0000000-0000-4000-8000-000000000001';
const MONDAY_0900 = Date.parse('2026-11-23T08:00:00.000Z');
// Funds of client 1's universe with low minimums; the subscriptions buy Kustlinje (no minimum).
const FUNDS = ['SE0007100128SEK', 'SE0007110093SEK', 'SE0007120068SEK', 'SE0007149984SEK', 'SE0007239744SEK'];
const KUSTLINJE = 'SE0007120068SEK';
const PLANS = [['100'], ['60', '40'], ['50', '30', '20']];
const SSNS = ['198003141002', '197511221371', '199006071741', '198512302111', '199202182482'];

const options = new Command('sandbox-memory')
  .option('--accounts <n>', 'accounts to create', Number, 10_000)
  .option('--orders-per-account <n>', 'orders per account: 0, 1 (subscription) or 2 (+ redemption)', Number, 2)
  .parse()
  .opts<{ accounts: number; ordersPerAccount: number }>();

interface Sample {
  phase: string;
  heapUsed: number;
  rss: number;
  external: number;
  seconds?: number;
}

const gc = (globalThis as { gc?: () => void }).gc;

function measure(phase: string, seconds?: number): Sample {
  // Several passes: weak references and finalisers can free more on a second pass.
  for (let i = 0; i < 3; i++) gc!();
  const m = process.memoryUsage();
  return {
    phase,
    heapUsed: m.heapUsed,
    rss: m.rss,
    external: m.external + m.arrayBuffers,
    ...(seconds ? { seconds } : {}),
  };
}

function accountInput(i: number): {
  input: SeedAccountInput;
  allocation: { instrument: string; allocation: string }[];
} {
  const hex = String(i).padStart(12, '0');
  const positionCount = (i % 3) + 1;
  const positions = Array.from({ length: positionCount }, (_, k) => ({
    instrument: FUNDS[(i + k) % FUNDS.length]!,
    units: `${(i % 50) + 2 + k}.${String((i * 7919) % 10_000).padStart(4, '0')}`,
  }));
  const weights = PLANS[(i + 1) % 3]!;
  return {
    input: {
      id: `e2000000-0000-4000-8000-${hex}`,
      ref: `7${String(i).padStart(14, '0')}`,
      name: i % 2 ? 'Spar' : 'Barnspar',
      status: 'active',
      accountType: i % 4 ? 'isk' : 'depot',
      serviceType: 'portfolioManagement',
      clientId: CLIENT,
      owner: { firstName: 'Bench', lastName: `Person ${i}`, ssn: SSNS[i % SSNS.length]! },
      balance: '5000.00',
      positions,
      bankAccounts: [
        {
          id: `f2000000-0000-4000-8000-${hex}`,
          iban: `SE45500000000583${String(i).padStart(8, '0')}`,
          bban: `5000 0583 ${String(i).padStart(5, '0')}`,
          bank: 'Sandbox Sparbank',
          name: 'Lönekonto',
          validated: true,
        },
      ],
      kyc: { order: true, withdrawal: true },
    },
    allocation: weights.map((allocation, k) => ({ instrument: FUNDS[(i + 2 + k) % FUNDS.length]!, allocation })),
  };
}

function main(): void {
  if (!gc) {
    console.error('run with node --expose-gc --import tsx bench/sandbox-memory.bench.ts (global.gc is needed)');
    process.exit(1);
  }
  const samples: Sample[] = [];
  const seed = readSeedFile();
  const engine = new SandboxEngine({ seed, startMs: MONDAY_0900, clockMode: 'manual' });
  samples.push(measure('engine on the seed'));

  let t = performance.now();
  const accounts: string[] = [];
  const firstPositions: string[] = [];
  for (let i = 1; i <= options.accounts; i++) {
    const { input, allocation } = accountInput(i);
    engine.createAccount(input, allocation);
    accounts.push(input.id);
    firstPositions.push(input.positions[0]!.instrument);
  }
  samples.push(measure(`+ ${options.accounts.toLocaleString('en-US')} accounts`, (performance.now() - t) / 1000));

  let orders = 0;
  if (options.ordersPerAccount > 0) {
    t = performance.now();
    const place = (body: Record<string, unknown>) => {
      createOrder(engine, CLIENT, body, { validateOnly: false, withdrawal: false });
      orders++;
    };
    accounts.forEach((account, i) => {
      place({
        orderType: 'subscription',
        account,
        instrument: KUSTLINJE,
        amount: new LosslessNumber('500.00'),
        clientRef: `mem-sub-${i}`,
      });
      if (options.ordersPerAccount > 1) {
        place({
          orderType: 'redemption',
          account,
          instrument: firstPositions[i]!,
          units: new LosslessNumber('1'),
          clientRef: `mem-red-${i}`,
        });
      }
    });
    samples.push(measure(`+ ${orders.toLocaleString('en-US')} orders (received)`, (performance.now() - t) / 1000));

    t = performance.now();
    engine.clock.advance(5 * 86_400_000);
    const settled = [...engine.store.orders.values()].filter((o) => o.status === 'settled').length;
    if (settled !== engine.store.orders.size) {
      throw new Error(`${engine.store.orders.size - settled} orders did not settle`);
    }
    samples.push(measure('+ 5 business days: all settled', (performance.now() - t) / 1000));
  }

  t = performance.now();
  const stateBytes = Buffer.byteLength(
    JSON.stringify({
      version: 1,
      now: engine.clock.nowIso(),
      data: engine.store.toData(),
      steps: engine.clock.pending(),
    })
  );
  const serialiseSeconds = (performance.now() - t) / 1000;

  const mb = (bytes: number) => (bytes / 1024 / 1024).toFixed(1);
  const kb = (bytes: number) => (bytes / 1024).toFixed(2);
  const base = samples[0]!;
  console.log(`machine: ${os.cpus().length} cores, ${os.cpus()[0]?.model ?? 'unknown CPU'}; Node ${process.version}`);
  console.log(
    `${options.accounts.toLocaleString('en-US')} accounts (1–3 positions, 1 bank account, 1 allocation plan each), ` +
      `${orders.toLocaleString('en-US')} orders; after a forced GC at each phase\n`
  );
  const header = ['phase', 'took s', 'heapUsed MB', 'RSS MB', 'external MB', 'Δ heap/account KB', 'Δ RSS/account KB'];
  const rows = samples.map((s) => [
    s.phase,
    s.seconds === undefined ? '' : s.seconds.toFixed(2),
    mb(s.heapUsed),
    mb(s.rss),
    mb(s.external),
    s === base ? '' : kb((s.heapUsed - base.heapUsed) / options.accounts),
    s === base ? '' : kb((s.rss - base.rss) / options.accounts),
  ]);
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i]!.length)));
  const line = (cells: string[]) =>
    cells.map((c, i) => (i === 0 ? c.padEnd(widths[i]!) : c.padStart(widths[i]!))).join('  ');
  console.log(line(header));
  console.log(widths.map((w) => '-'.repeat(w)).join('  '));
  for (const row of rows) console.log(line(row));
  const last = samples[samples.length - 1]!;
  const peakRss = process.resourceUsage().maxRSS * 1024; // maxRSS is in kilobytes
  console.log(
    `\nstate as JSON (the state file): ${mb(stateBytes)} MB, serialised in ${serialiseSeconds.toFixed(2)} s; ` +
      `records: ${engine.store.accounts.size} accounts, ${engine.store.orders.size} orders, ` +
      `${engine.store.fundTransactions.size} fund and ${engine.store.cashTransactions.size} cash transactions`
  );
  console.log(
    `target "well under 1 GB" (read as: peak RSS of the whole run below 512 MB): ` +
      `${peakRss < 512 * 1024 ** 2 ? 'MET' : 'NOT MET'} (peak RSS ${mb(peakRss)} MB, ` +
      `heapUsed at the end ${mb(last.heapUsed)} MB)`
  );
}

main();
