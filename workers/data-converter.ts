/**
 * The data converter every process uses (worker, event bridge, CLI, codec server, local stack, tests): Temporal's
 * default payload converter followed by the AES-256-GCM payload codec (workers/codec.ts), with keys from
 * configuration — never from code.
 *
 *   SAVINGS_PAYLOAD_KEYS           `<keyId>=<base64 of 32 bytes>` entries separated by commas or new lines
 *   SAVINGS_PAYLOAD_KEYS_FILE      a file with the same entries (one a line; `#` starts a comment)
 *   SAVINGS_PAYLOAD_ACTIVE_KEY_ID  the key new payloads are encrypted with; required when more than one key is set
 *
 * Encryption is always on: a process without a key refuses to start, naming the variable. The one fallback is
 * the local stack's development key file (.data/payload-keys.local-dev, written by `npm start`), used only when
 * neither variable is set and the file exists; its key ids start with `local-dev-` and the worker and the bridge
 * refuse such keys unless FONDO_ENV is `local`.
 */
import { randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import type { DataConverter } from '@temporalio/common';
import { AesGcmPayloadCodec, KEY_BYTES, KEY_ID_PATTERN, type PayloadKeyring } from './codec';
import { ConfigError } from './config';

const ROOT = path.resolve(__dirname, '..');
/** The local stack's generated development key file (never used outside a developer machine). */
export const LOCAL_DEV_KEY_FILE = path.join(ROOT, '.data', 'payload-keys.local-dev');
export const LOCAL_DEV_KEY_PREFIX = 'local-dev-';
const BASE64_32_BYTES = /^[A-Za-z0-9+/]{43}=$/;

export interface KeyringOptions {
  /** A development key file to fall back on when no variable is set (the local stack's; absent = no fallback). */
  localDevKeyFile?: string;
  /** Refuse `local-dev-*` keys (worker and bridge outside FONDO_ENV=local). */
  refuseLocalDevKeys?: boolean;
}

/** Reads and validates the payload keys; any problem throws a ConfigError naming the variable, never a key. */
export function loadPayloadKeyring(env: NodeJS.ProcessEnv = process.env, options: KeyringOptions = {}): PayloadKeyring {
  const inline = env.SAVINGS_PAYLOAD_KEYS?.trim();
  const file = env.SAVINGS_PAYLOAD_KEYS_FILE?.trim();
  let source: string;
  let text: string;
  if (inline && file) {
    throw new ConfigError('Invalid configuration: set only one of SAVINGS_PAYLOAD_KEYS and SAVINGS_PAYLOAD_KEYS_FILE');
  } else if (inline) {
    source = 'SAVINGS_PAYLOAD_KEYS';
    text = inline;
  } else if (file) {
    source = 'SAVINGS_PAYLOAD_KEYS_FILE';
    try {
      text = readFileSync(file, 'utf8');
    } catch (err) {
      throw new ConfigError(
        `Invalid configuration: SAVINGS_PAYLOAD_KEYS_FILE: cannot read the file (${(err as NodeJS.ErrnoException).code ?? 'error'})`
      );
    }
  } else if (options.localDevKeyFile && existsSync(options.localDevKeyFile)) {
    source = `the local development key file ${path.relative(ROOT, options.localDevKeyFile)}`;
    text = readFileSync(options.localDevKeyFile, 'utf8');
  } else {
    throw new ConfigError(
      'Invalid configuration: SAVINGS_PAYLOAD_KEYS or SAVINGS_PAYLOAD_KEYS_FILE is required (payload encryption keys: ' +
        '`<keyId>=<base64 of 32 bytes>`; see README "Payload encryption")'
    );
  }

  const keys = new Map<string, Buffer>();
  const entries = text
    .split(/\r?\n/)
    .map((line) => line.replace(/#.*$/, ''))
    .flatMap((line) => line.split(','))
    .map((e) => e.trim())
    .filter(Boolean);
  entries.forEach((entry, index) => {
    const eq = entry.indexOf('=');
    const id = eq > 0 ? entry.slice(0, eq).trim() : '';
    const value = eq > 0 ? entry.slice(eq + 1).trim() : '';
    const where = `${source}: entry ${index + 1}`;
    if (!KEY_ID_PATTERN.test(id)) {
      throw new ConfigError(
        `Invalid configuration: ${where}: expected <keyId>=<base64 key>, key id of A-Z a-z 0-9 . _ -`
      );
    }
    if (!BASE64_32_BYTES.test(value) || Buffer.from(value, 'base64').length !== KEY_BYTES) {
      // No key id here: a key pasted without its id would be echoed (the "id" is what precedes its '=' padding).
      throw new ConfigError(`Invalid configuration: ${where}: the key must be ${KEY_BYTES} bytes in base64`);
    }
    if (keys.has(id)) throw new ConfigError(`Invalid configuration: ${where}: the key id appears twice`);
    if (options.refuseLocalDevKeys && id.startsWith(LOCAL_DEV_KEY_PREFIX)) {
      throw new ConfigError(`Invalid configuration: ${where}: a local-dev-* key (FONDO_ENV is not local)`);
    }
    keys.set(id, Buffer.from(value, 'base64'));
  });
  if (keys.size === 0) throw new ConfigError(`Invalid configuration: ${source}: no keys`);

  const active = env.SAVINGS_PAYLOAD_ACTIVE_KEY_ID?.trim();
  if (active) {
    if (!keys.has(active)) {
      throw new ConfigError(`Invalid configuration: SAVINGS_PAYLOAD_ACTIVE_KEY_ID: "${active}" is not among the keys`);
    }
    return { activeKeyId: active, keys };
  }
  if (keys.size > 1) {
    throw new ConfigError(
      'Invalid configuration: SAVINGS_PAYLOAD_ACTIVE_KEY_ID is required when more than one key is set'
    );
  }
  return { activeKeyId: [...keys.keys()][0]!, keys };
}

/** The data converter for a keyring: default payload converter, then the encryption codec. */
export function createDataConverter(keyring: PayloadKeyring): DataConverter {
  return { payloadCodecs: [new AesGcmPayloadCodec(keyring)] };
}

/**
 * The data converter of a process, from its environment. The worker and the bridge pass their FONDO_ENV so that a
 * local development key is refused anywhere but against the local sandbox.
 */
export function loadDataConverter(env: NodeJS.ProcessEnv = process.env, fondoEnv?: string): DataConverter {
  return createDataConverter(
    loadPayloadKeyring(env, {
      localDevKeyFile: LOCAL_DEV_KEY_FILE,
      refuseLocalDevKeys: fondoEnv !== undefined && fondoEnv !== 'local',
    })
  );
}

/** A new random key entry `<id>=<base64>`. */
export function generateKeyEntry(keyId: string): string {
  return `${keyId}=${randomBytes(KEY_BYTES).toString('base64')}`;
}

/**
 * Writes the local stack's development key file once (mode 0600) and returns its path; an existing file is kept so
 * that payloads in .data/temporal.sqlite stay readable across restarts.
 */
export function ensureLocalDevKeyFile(file: string = LOCAL_DEV_KEY_FILE): string {
  if (existsSync(file)) return file;
  mkdirSync(path.dirname(file), { recursive: true });
  const keyId = `${LOCAL_DEV_KEY_PREFIX}${new Date().toISOString().slice(0, 10).replace(/-/g, '')}`;
  writeFileSync(
    file,
    [
      '# LOCAL DEVELOPMENT KEY - generated by `npm start` for the local stack only.',
      '# Never use it for real data: the worker and the bridge refuse local-dev-* keys unless FONDO_ENV=local.',
      generateKeyEntry(keyId),
      '',
    ].join('\n'),
    { mode: 0o600 }
  );
  return file;
}
