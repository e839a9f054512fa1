/**
 * Benchmark: Fondo sandbox HTTP throughput on one core over loopback (target ≥ 1,000 simple requests/s).
 *
 * Run: npx tsx bench/sandbox-throughput.bench.ts
 *      (options: --duration <s> per route, default 10; --connections <n>, default 10; --warmup <s>, default 2)
 *
 * The sandbox runs in a child process (`node --import tsx sandbox/main.ts --manual`) pinned to CPU 0 with
 * `taskset -c 0`; this process (autocannon, the load generator) pins itself to CPU 1 with `taskset -a -p`, so the
 * two never share a core. Without taskset, or on one core, both run unpinned and the table says so.
 *
 * Set-up over the control API and the Fondo API: 200 accounts of client 1 with 10,000,000 SEK each and two
 * positions (so account views carry positions), a bearer token, and 1,000 orders to read back. Then, per route,
 * a warm-up and a measured autocannon run with `--connections` keep-alive connections and no pipelining:
 *   GET  /ping
 *   GET  /v2/partner/client/{client}/order/{id}     rotating over the 1,000 orders
 *   GET  /v2/partner/client/{client}/account/{id}   rotating over the 200 accounts
 *   POST /v2/partner/client/{client}/order          1.00 SEK subscriptions of Kustlinje (no minimum), each with a
 *                                                   unique clientRef, rotating over the accounts: every one must
 *                                                   answer 201
 *   mixed                                           the four requests above in turn on every connection
 * The business clock is manual (frozen), so no lifecycle step runs during the measurements. Afterwards the
 * bench counts the orders in the sandbox (every 2xx create must be exactly one order) and asks the sandbox to
 * check its ledger invariants.
 *
 * Columns: req/s = responses / run duration; latency p50/p99 from every response's own timing (ms, 0.01 ms
 * resolution, all status codes); non-2xx by status; connection errors and timeouts; sandbox CPU = the child's
 * user + system CPU time / wall time (100 % = its core saturated; less when other processes share CPU 0 or the
 * load generator is the limit); req/sandbox CPU-s = responses / the child's CPU seconds, which stays steady when
 * other processes compete for the core; autocannon CPU = this process's CPU time / wall time.
 */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { createServer } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import autocannon from 'autocannon';
import { Command } from 'commander';

const ROOT = path.resolve(__dirname, '..');
const CLIENT = 'c0000000-0000-4000-8000-000000000001';
const KUSTLINJE = 'SE0007120068SEK'; // 108.42 SEK, no minimum amounts
const HELD = ['SE0007100128SEK', 'SE0007110093SEK'];
const START = '2026-11-23T08:00:00.000Z'; // Monday 09:00 Stockholm, before the 13:00 cut-off
const ACCOUNTS = 200;
const READ_ORDERS = 1_000;
const SANDBOX_CPU = 0;
const BENCH_CPU = 1;

const options = new Command('sandbox-throughput')
  .option('--duration <seconds>', 'measured seconds per route', Number, 10)
  .option('--warmup <seconds>', 'warm-up seconds per route', Number, 2)
  .option('--connections <n>', 'concurrent keep-alive connections', Number, 10)
  .parse()
  .opts<{ duration: number; warmup: number; connections: number }>();

/** 201 answers to creates over all runs, warm-ups included (each must be exactly one new order). */
let created201 = 0;

interface RouteResult {
  name: string;
  responses: number;
  seconds: number;
  p50: number;
  p99: number;
  statuses: Record<string, number>;
  non2xx: number;
  errors: number;
  timeouts: number;
  sandboxCpuPct: number;
  /** Responses per CPU-second the sandbox process used (steady when other processes compete for its core). */
  perSandboxCpuSecond: number;
  benchCpuPct: number;
}

function hasTaskset(): boolean {
  return spawnSync('taskset', ['--version'], { stdio: 'ignore' }).status === 0;
}

async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      const port = typeof address === 'object' && address ? address.port : 0;
      server.close(() => resolve(port));
    });
  });
}

/** Starts the sandbox child and resolves once it prints its listening line. */
async function startSandboxChild(port: number, pin: boolean): Promise<ChildProcess> {
  const node = [process.execPath, '--import', 'tsx', 'sandbox/main.ts', '--port', String(port), '--manual'];
  const args = [...node, '--start', START];
  const child = pin
    ? spawn('taskset', ['-c', String(SANDBOX_CPU), ...args], { cwd: ROOT, stdio: ['ignore', 'pipe', 'pipe'] })
    : spawn(args[0]!, args.slice(1), { cwd: ROOT, stdio: ['ignore', 'pipe', 'pipe'] });
  let output = '';
  await new Promise<void>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`sandbox did not start in 30 s:\n${output}`)), 30_000);
    const onData = (chunk: Buffer) => {
      output += chunk.toString('utf8');
      if (output.includes('Fondo sandbox listening on')) {
        clearTimeout(timer);
        resolve();
      }
    };
    child.stdout?.on('data', onData);
    child.stderr?.on('data', onData);
    child.once('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`sandbox exited with ${code}:\n${output}`));
    });
  });
  child.removeAllListeners('exit');
  return child;
}

/** User + system CPU seconds of a process from /proc (Linux); undefined elsewhere. */
function cpuSeconds(pid: number): number | undefined {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    const ticks = Number(fields[11]) + Number(fields[12]); // utime, stime (fields 14 and 15 of stat)
    return ticks / 100; // USER_HZ is 100 on Linux
  } catch {
    return undefined;
  }
}

function percentile(sorted: Float64Array, p: number): number {
  if (sorted.length === 0) return Number.NaN;
  return sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)]!;
}

async function main(): Promise<void> {
  const cores = os.cpus().length;
  const pin = hasTaskset() && cores >= 2;
  if (pin) {
    const self = spawnSync('taskset', ['-a', '-p', '-c', String(BENCH_CPU), String(process.pid)]);
    if (self.status !== 0) throw new Error(`taskset could not pin the bench process: ${self.stderr.toString()}`);
  }
  const port = await freePort();
  const base = `http://127.0.0.1:${port}`;
  const child = await startSandboxChild(port, pin);
  try {
    const results = await run(base, child.pid!);
    printResults(results, pin, cores);
    await verify(base);
  } finally {
    child.kill('SIGTERM');
    await new Promise((resolve) => child.once('exit', resolve));
  }
}

async function run(base: string, sandboxPid: number): Promise<RouteResult[]> {
  const json = async (method: string, url: string, body?: unknown, token?: string): Promise<unknown> => {
    const res = await fetch(`${base}${url}`, {
      method,
      headers: {
        ...(body !== undefined ? { 'content-type': 'application/json' } : {}),
        ...(token ? { authorization: `Bearer ${token}` } : {}),
      },
      ...(body !== undefined ? { body: typeof body === 'string' ? body : JSON.stringify(body) } : {}),
    });
    const text = await res.text();
    if (!res.ok) throw new Error(`${method} ${url}: ${res.status} ${text}`);
    return text ? (JSON.parse(text) as unknown) : undefined;
  };

  const clock = (await json('GET', '/_sandbox/clock')) as { mode: string };
  if (clock.mode !== 'manual') throw new Error(`the sandbox clock is ${clock.mode}, expected manual`);
  const tokenRes = await fetch(`${base}/v2/partner/auth/token`, {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded' },
    body: 'grant_type=client_credentials&client_id=sandbox-partner&client_secret=sandbox-secret',
  });
  const token = ((await tokenRes.json()) as { access_token: string }).access_token;
  const auth = { authorization: `Bearer ${token}` };

  const accountIds: string[] = [];
  for (let i = 1; i <= ACCOUNTS; i++) {
    const id = `e1000000-0000-4000-8000-${String(i).padStart(12, '0')}`;
    await json('POST', '/_sandbox/accounts', {
      account: {
        id,
        ref: `8${String(i).padStart(10, '0')}`,
        name: 'Bench',
        status: 'active',
        accountType: 'isk',
        serviceType: 'portfolioManagement',
        clientId: CLIENT,
        owner: { firstName: 'Bench', lastName: 'Person', ssn: '198003141002' },
        balance: '10000000.00',
        positions: HELD.map((instrument, k) => ({ instrument, units: `${10 + k}.5` })),
        bankAccounts: [
          {
            id: `f1000000-0000-4000-8000-${String(i).padStart(12, '0')}`,
            iban: 'SE4550000000058398299999',
            bban: '5000 0583 99999',
            bank: 'Bench',
            name: 'Lön',
            validated: true,
          },
        ],
        kyc: { order: true, withdrawal: true },
      },
    });
    accountIds.push(id);
  }
  const orderPath = `/v2/partner/client/${CLIENT}/order`;
  const orderBody = (account: string, clientRef: string) =>
    `{"orderType":"subscription","account":"${account}","instrument":"${KUSTLINJE}","amount":1.00,"clientRef":"${clientRef}"}`;
  const orderIds: string[] = [];
  for (let i = 0; i < READ_ORDERS; i++) {
    const order = (await json('POST', orderPath, orderBody(accountIds[i % ACCOUNTS]!, `read-${i}`), token)) as {
      id: string;
    };
    orderIds.push(order.id);
  }

  let nextOrder = 0;
  let nextAccount = 0;
  let nextCreate = 0;
  const getOrder: autocannon.Request = {
    method: 'GET',
    setupRequest: (req) => ({ ...req, path: `${orderPath}/${orderIds[nextOrder++ % READ_ORDERS]!}` }),
  };
  const getAccount: autocannon.Request = {
    method: 'GET',
    setupRequest: (req) => ({
      ...req,
      path: `/v2/partner/client/${CLIENT}/account/${accountIds[nextAccount++ % ACCOUNTS]!}`,
    }),
  };
  const createOrder: autocannon.Request = {
    method: 'POST',
    path: orderPath,
    setupRequest: (req) => {
      const n = nextCreate++;
      return { ...req, body: orderBody(accountIds[n % ACCOUNTS]!, `bench-${n}`) };
    },
  };
  const ping: autocannon.Request = { method: 'GET', path: '/ping' };
  const routes: { name: string; requests: autocannon.Request[] }[] = [
    { name: 'GET /ping', requests: [ping] },
    { name: 'GET …/order/{id}', requests: [getOrder] },
    { name: 'GET …/account/{id}', requests: [getAccount] },
    { name: 'POST …/order (subscription)', requests: [createOrder] },
    { name: 'mixed: the four above in turn', requests: [ping, getOrder, getAccount, createOrder] },
  ];

  const headers = { ...auth, 'content-type': 'application/json' };
  const results: RouteResult[] = [];
  for (const route of routes) {
    if (options.warmup > 0) {
      const warm = await autocannon({
        url: base,
        connections: options.connections,
        duration: options.warmup,
        headers,
        requests: route.requests,
      });
      created201 += warm.statusCodeStats?.['201']?.count ?? 0;
    }
    const latencies: number[] = [];
    const cpuBefore = cpuSeconds(sandboxPid);
    const benchCpuBefore = process.cpuUsage();
    const wallBefore = performance.now();
    const instance = autocannon(
      { url: base, connections: options.connections, duration: options.duration, headers, requests: route.requests },
      () => undefined
    );
    instance.on('response', (_client, _status, _bytes, responseTime) => latencies.push(responseTime));
    const result = await new Promise<autocannon.Result>((resolve) => instance.once('done', resolve));
    const wallSeconds = (performance.now() - wallBefore) / 1000;
    const cpuAfter = cpuSeconds(sandboxPid);
    const benchCpu = process.cpuUsage(benchCpuBefore);
    const sandboxCpu = cpuBefore === undefined || cpuAfter === undefined ? Number.NaN : cpuAfter - cpuBefore;
    const sorted = Float64Array.from(latencies).sort();
    const statuses: Record<string, number> = {};
    for (const [code, stat] of Object.entries(result.statusCodeStats ?? {})) statuses[code] = stat.count ?? 0;
    created201 += statuses['201'] ?? 0;
    results.push({
      name: route.name,
      responses: latencies.length,
      seconds: result.duration,
      p50: percentile(sorted, 50),
      p99: percentile(sorted, 99),
      statuses,
      non2xx: result.non2xx,
      errors: result.errors,
      timeouts: result.timeouts,
      sandboxCpuPct: (sandboxCpu / wallSeconds) * 100,
      perSandboxCpuSecond: latencies.length / sandboxCpu,
      benchCpuPct: ((benchCpu.user + benchCpu.system) / 1e6 / wallSeconds) * 100,
    });
  }
  return results;
}

function printResults(results: RouteResult[], pinned: boolean, cores: number): void {
  const load = os.loadavg().map((l) => l.toFixed(2));
  console.log(
    `machine: ${cores} cores (nproc), ${os.cpus()[0]?.model ?? 'unknown CPU'}; Node ${process.version}; ` +
      `load average ${load.join(' ')}`
  );
  console.log(
    pinned
      ? `sandbox child pinned to CPU ${SANDBOX_CPU} (taskset -c ${SANDBOX_CPU}); autocannon pinned to CPU ${BENCH_CPU}`
      : 'NOT PINNED: taskset is unavailable or there is only one core; the sandbox and autocannon share CPUs'
  );
  console.log(
    `clock: manual; ${options.connections} connections, no pipelining, ${options.warmup} s warm-up + ` +
      `${options.duration} s per route; ${ACCOUNTS} accounts, ${READ_ORDERS} orders to read\n`
  );
  const rows = results.map((r) => [
    r.name,
    Math.round(r.responses / r.seconds).toLocaleString('en-US'),
    r.p50.toFixed(2),
    r.p99.toFixed(2),
    Object.entries(r.statuses)
      .map(([code, count]) => `${code}×${count}`)
      .join(' '),
    String(r.non2xx),
    `${r.errors}/${r.timeouts}`,
    Number.isNaN(r.sandboxCpuPct) ? 'n/a' : `${r.sandboxCpuPct.toFixed(0)} %`,
    Number.isNaN(r.perSandboxCpuSecond) ? 'n/a' : Math.round(r.perSandboxCpuSecond).toLocaleString('en-US'),
    `${r.benchCpuPct.toFixed(0)} %`,
  ]);
  const header = [
    'route',
    'req/s',
    'p50 ms',
    'p99 ms',
    'statuses',
    'non-2xx',
    'err/timeout',
    'sandbox CPU',
    'req/sandbox CPU-s',
    'autocannon CPU',
  ];
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((row) => row[i]!.length)));
  const line = (cells: string[]) =>
    cells.map((c, i) => (i === 0 || i === 4 ? c.padEnd(widths[i]!) : c.padStart(widths[i]!))).join('  ');
  console.log(line(header));
  console.log(widths.map((w) => '-'.repeat(w)).join('  '));
  for (const row of rows) console.log(line(row));
  const simple = results.slice(0, 4);
  const slowest = Math.min(...simple.map((r) => r.responses / r.seconds));
  const clean = results.every((r) => r.non2xx === 0 && r.errors === 0);
  console.log(
    `\ntarget ≥ 1,000 req/s per simple route on one core: ${slowest >= 1000 ? 'MET' : 'NOT MET'} ` +
      `(slowest route ${Math.round(slowest).toLocaleString('en-US')} req/s); ` +
      `${clean ? 'every response 2xx' : 'SOME RESPONSES WERE NOT 2xx OR FAILED'}`
  );
}

/** Counts the orders (every 201 must be one order) and asks the sandbox to check its ledger invariants. */
async function verify(base: string): Promise<void> {
  const token = (
    (await (
      await fetch(`${base}/v2/partner/auth/token`, {
        method: 'POST',
        headers: { 'content-type': 'application/x-www-form-urlencoded' },
        body: 'grant_type=client_credentials&client_id=sandbox-partner&client_secret=sandbox-secret',
      })
    ).json()) as { access_token: string }
  ).access_token;
  let count = 0;
  let start: string | undefined;
  for (;;) {
    const res = await fetch(`${base}/v2/partner/client/${CLIENT}/order?limit=10000${start ? `&start=${start}` : ''}`, {
      headers: { authorization: `Bearer ${token}` },
    });
    const page = (await res.json()) as { sortedId: string }[];
    count += page.length;
    if (page.length < 10_000) break;
    start = page[page.length - 1]!.sortedId;
  }
  const check = (await (await fetch(`${base}/_sandbox/ledger/check`)).json()) as { ok: boolean; violations: string[] };
  // autocannon stops at the deadline without waiting for requests in flight: the sandbox may still have created
  // those orders, at most one per connection and run.
  const unanswered = count - READ_ORDERS - created201;
  console.log(
    `orders in the sandbox afterwards: ${count.toLocaleString('en-US')} = ${READ_ORDERS} set-up + ` +
      `${created201.toLocaleString('en-US')} answered 201 + ${unanswered} in flight when a run stopped; ` +
      `ledger invariants: ${check.ok ? 'ok' : `VIOLATED: ${check.violations.slice(0, 3).join('; ')}`}`
  );
}

main().catch((err: unknown) => {
  console.error(err);
  process.exit(1);
});
