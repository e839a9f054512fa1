import { runSavings } from '../../cli/program';
import { testPayloadKeys } from './payload-keys';

export interface InProcessResult {
  code: number;
  out: string;
  err: string;
  /** stdout parsed as JSON when it is JSON. */
  json: any;
}

/**
 * Runs the admin CLI in this process (same code as the bin, without a process start per case), with the tests'
 * payload key (test/helpers/payload-keys.ts) unless `env` sets its own.
 */
export async function runCliInProcess(argv: string[], env: Record<string, string>): Promise<InProcessResult> {
  let out = '';
  let err = '';
  const withKeys = { SAVINGS_PAYLOAD_KEYS: testPayloadKeys(), ...env };
  const code = await runSavings(argv, { out: (t) => (out += t), err: (t) => (err += t), env: withKeys });
  let json: unknown;
  try {
    json = JSON.parse(out);
  } catch {
    json = undefined;
  }
  return { code, out, err, json };
}
