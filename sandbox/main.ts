/**
 * `npm run sandbox`: the Fondo sandbox alone, on 127.0.0.1, seeded, with its business clock.
 *   npm run sandbox -- --port 7890 --speed 3600 --state-file .data/sandbox.json
 */
import { existsSync, readFileSync } from 'node:fs';
import { Command, InvalidArgumentError } from 'commander';
import { CONTROL_API_SUMMARY } from './control-routes';
import type { SavedState } from './engine';
import { DEFAULT_SEED_PATH, readSeedFile } from './seed';
import { startSandbox } from './server';

const positive = (name: string) => (value: string) => {
  const n = Number(value);
  if (!Number.isFinite(n) || n <= 0) throw new InvalidArgumentError(`${name} must be a positive number`);
  return n;
};

const program = new Command('sandbox')
  .description('Stateful local Fondo Partner API sandbox (HTTP + WebSocket + control API)')
  .option('--port <port>', 'port on 127.0.0.1', (v) => Number(v), 7890)
  .option('--speed <factor>', 'business seconds per real second', positive('speed'), 1)
  .option('--manual', 'freeze the business clock; move it with POST /_sandbox/clock', false)
  .option('--start <iso>', 'business start time (ISO 8601); default now')
  .option('--seed <file>', 'seed fixture', DEFAULT_SEED_PATH)
  .option('--state-file <file>', 'save state here and resume from it on restart')
  .option('--token-ttl <seconds>', 'access token lifetime', positive('token-ttl'), 432_000)
  .option('--heartbeat-ms <ms>', 'WebSocket heartbeat interval', positive('heartbeat-ms'), 15_000)
  .parse();

async function main(): Promise<void> {
  const opts = program.opts<{
    port: number;
    speed: number;
    manual: boolean;
    start?: string;
    seed: string;
    stateFile?: string;
    tokenTtl: number;
    heartbeatMs: number;
  }>();
  const restore =
    opts.stateFile && existsSync(opts.stateFile)
      ? (JSON.parse(readFileSync(opts.stateFile, 'utf8')) as SavedState)
      : undefined;
  const sandbox = await startSandbox({
    port: opts.port,
    seed: readSeedFile(opts.seed),
    clockMode: opts.manual ? 'manual' : 'running',
    speed: opts.speed,
    tokenTtlSeconds: opts.tokenTtl,
    heartbeatIntervalMs: opts.heartbeatMs,
    ...(opts.start ? { startMs: Date.parse(opts.start) } : {}),
    ...(opts.stateFile ? { stateFile: opts.stateFile } : {}),
    ...(restore ? { restore } : {}),
  });
  const clock = sandbox.engine.clock.snapshot();
  const data = sandbox.engine.store.data;
  console.log(`Fondo sandbox listening on ${sandbox.url}${restore ? ` (resumed from ${opts.stateFile})` : ''}
  business clock: ${clock.mode}${clock.mode === 'running' ? ` ×${clock.speed}` : ''}, now ${clock.now}
  partner credentials: client_id=${data.partner.clientId} (secret in the seed file)
  clients: ${[...sandbox.engine.store.clients.values()].map((c) => `${c.id} (${c.displayName})`).join(', ')}
  Fondo API: ${sandbox.url}/v2/partner/…   ping: ${sandbox.url}/ping
Control API:
  ${CONTROL_API_SUMMARY.join('\n  ')}`);
  const stop = () => {
    void sandbox.close().then(() => process.exit(0));
  };
  process.on('SIGINT', stop);
  process.on('SIGTERM', stop);
}

main().catch((err: unknown) => {
  console.error(err instanceof Error ? err.message : err);
  process.exit(1);
});
