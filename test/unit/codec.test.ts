import { mkdtempSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { defaultPayloadConverter, type Payload } from '@temporalio/common';
import {
  AesGcmPayloadCodec,
  ENCRYPTED_ENCODING,
  isEncrypted,
  KEY_ID_METADATA,
  PayloadDecryptionError,
  type PayloadKeyring,
} from '../../workers/codec';
import { ConfigError } from '../../workers/config';
import {
  createDataConverter,
  ensureLocalDevKeyFile,
  generateKeyEntry,
  loadPayloadKeyring,
} from '../../workers/data-converter';

// Test-only keys, generated per run (never from code).
const entryA = generateKeyEntry('test-only-a');
const entryB = generateKeyEntry('test-only-b');
const keyring = (env: Record<string, string>): PayloadKeyring => loadPayloadKeyring(env);
const utf8 = (b: Uint8Array | null | undefined): string => new TextDecoder().decode(b ?? new Uint8Array());

const plan = { planId: 'p-1042', accountId: 'a0000000-0000-4000-8000-000000000001', amount: '1500.00' };
const payload = (): Payload => defaultPayloadConverter.toPayload(plan);

describe('AES-256-GCM payload codec', () => {
  const codec = new AesGcmPayloadCodec(keyring({ SAVINGS_PAYLOAD_KEYS: entryA }));

  it('round-trips payloads exactly, including metadata, null and binary payloads', async () => {
    const inputs = [
      payload(),
      defaultPayloadConverter.toPayload(null),
      defaultPayloadConverter.toPayload(new Uint8Array([0, 1, 255])),
    ];
    const encoded = await codec.encode(inputs);
    expect(encoded).toHaveLength(3);
    const decoded = await codec.decode(encoded);
    decoded.forEach((p, i) => {
      expect(utf8(p.metadata?.encoding)).toBe(utf8(inputs[i]!.metadata?.encoding));
      expect(Buffer.from(p.data ?? [])).toEqual(Buffer.from(inputs[i]!.data ?? []));
    });
    expect(defaultPayloadConverter.fromPayload(decoded[0]!)).toEqual(plan);
  });

  it('hides the content and names the key in the metadata; a fresh IV makes equal payloads differ', async () => {
    const [x, y] = await codec.encode([payload(), payload()]);
    expect(utf8(x!.metadata?.encoding)).toBe(ENCRYPTED_ENCODING);
    expect(utf8(x!.metadata?.[KEY_ID_METADATA])).toBe('test-only-a');
    expect(Object.keys(x!.metadata ?? {}).sort()).toEqual(['encoding', KEY_ID_METADATA]);
    const raw = Buffer.from(x!.data!).toString('latin1');
    expect(raw).not.toContain('1500.00');
    expect(raw).not.toContain('a0000000');
    expect(raw).not.toContain('json/plain');
    expect(Buffer.from(x!.data!).subarray(0, 12)).not.toEqual(Buffer.from(y!.data!).subarray(0, 12));
    expect(Buffer.from(x!.data!)).not.toEqual(Buffer.from(y!.data!));
    expect(isEncrypted(x!)).toBe(true);
  });

  it('passes through payloads it did not encrypt (plain histories recorded before encryption)', async () => {
    const plain = payload();
    expect(await codec.decode([plain])).toEqual([plain]);
  });

  it('rotation: new payloads use the active key, old ones decrypt with any configured key', async () => {
    const old = await codec.encode([payload()]);
    const rotated = new AesGcmPayloadCodec(
      keyring({ SAVINGS_PAYLOAD_KEYS: `${entryA},${entryB}`, SAVINGS_PAYLOAD_ACTIVE_KEY_ID: 'test-only-b' })
    );
    const fresh = await rotated.encode([payload()]);
    expect(utf8(fresh[0]!.metadata?.[KEY_ID_METADATA])).toBe('test-only-b');
    expect(defaultPayloadConverter.fromPayload((await rotated.decode(old))[0]!)).toEqual(plan);
    expect(defaultPayloadConverter.fromPayload((await rotated.decode(fresh))[0]!)).toEqual(plan);
    // The old key alone cannot read the new payloads: retiring a key must wait until nothing needs it.
    await expect(codec.decode(fresh)).rejects.toThrow(/key "test-only-b", which is not configured/);
  });

  it('detects tampering with the ciphertext, the IV, the tag or the key id', async () => {
    const [good] = await codec.encode([payload()]);
    const flip = (index: number): Payload => {
      const data = Buffer.from(good!.data!);
      data[index < 0 ? data.length + index : index]! ^= 0x01;
      return { metadata: good!.metadata, data };
    };
    for (const bad of [flip(0), flip(20), flip(-1)]) {
      await expect(codec.decode([bad])).rejects.toThrow(PayloadDecryptionError);
    }
    await expect(
      codec.decode([{ metadata: good!.metadata, data: Buffer.from(good!.data!).subarray(0, 20) }])
    ).rejects.toThrow(/truncated/);
    // Same key bytes under another id: the key id is authenticated data, so a relabelled payload fails.
    const relabelled = new AesGcmPayloadCodec({
      activeKeyId: 'other',
      keys: new Map([['other', Buffer.from(entryA.split('=').slice(1).join('='), 'base64')]]),
    });
    const moved = { ...good!, metadata: { ...good!.metadata, [KEY_ID_METADATA]: new TextEncoder().encode('other') } };
    await expect(relabelled.decode([moved])).rejects.toThrow(/failed authentication/);
    const noKeyId = { ...good!, metadata: { encoding: good!.metadata!.encoding! } };
    await expect(codec.decode([noKeyId])).rejects.toThrow(/no key id/);
  });

  it('refuses to decrypt with the wrong key under the same id, without revealing content', async () => {
    const [sealed] = await codec.encode([payload()]);
    const impostor = new AesGcmPayloadCodec(keyring({ SAVINGS_PAYLOAD_KEYS: generateKeyEntry('test-only-a') }));
    const err = await impostor.decode([sealed!]).then(
      () => undefined,
      (e: unknown) => e as Error
    );
    expect(err).toBeInstanceOf(PayloadDecryptionError);
    expect(err?.message).toBe('encrypted payload with key "test-only-a" failed authentication');
  });

  it('createDataConverter puts the codec behind the default payload converter', () => {
    const converter = createDataConverter(keyring({ SAVINGS_PAYLOAD_KEYS: entryA }));
    expect(converter.payloadCodecs).toHaveLength(1);
    expect(converter.payloadCodecs![0]).toBeInstanceOf(AesGcmPayloadCodec);
    expect(converter.payloadConverterPath).toBeUndefined();
  });
});

describe('payload key configuration', () => {
  const secret = entryA.split('=').slice(1).join('=');
  const failure = (env: Record<string, string>, options = {}): string => {
    try {
      loadPayloadKeyring(env, options);
    } catch (err) {
      expect(err).toBeInstanceOf(ConfigError);
      // Not even a part of the key (a key pasted without an id splits at its '=' padding).
      expect((err as Error).message).not.toContain(secret.slice(0, 12));
      expect((err as Error).message).not.toContain(secret.slice(-16, -1));
      return (err as Error).message;
    }
    throw new Error('expected a configuration error');
  };

  it('names the variable when no key is configured', () => {
    expect(failure({})).toMatch(/SAVINGS_PAYLOAD_KEYS or SAVINGS_PAYLOAD_KEYS_FILE is required/);
  });

  it.each([
    ['no key id', `=${secret}`, /SAVINGS_PAYLOAD_KEYS: entry 1: expected <keyId>=<base64 key>/],
    ['no separator', secret, /SAVINGS_PAYLOAD_KEYS: entry 1: (expected|the key must be)/],
    ['a short key', 'k1=AAAA', /SAVINGS_PAYLOAD_KEYS: entry 1: the key must be 32 bytes in base64/],
    ['a 16-byte key', `k1=${Buffer.alloc(16, 7).toString('base64')}`, /must be 32 bytes/],
    ['not base64', `k1=${'!'.repeat(43)}=`, /must be 32 bytes/],
    ['a duplicate id', `${entryA},${entryA}`, /entry 2: the key id appears twice/],
    ['a personal-data-like id with spaces', `my key=${secret}`, /entry 1: expected/],
  ])('refuses %s, naming the variable and not the key', (_what, value, expected) => {
    expect(failure({ SAVINGS_PAYLOAD_KEYS: value })).toMatch(expected);
  });

  it('needs the active key id when several keys are set, and it must be one of them', () => {
    expect(failure({ SAVINGS_PAYLOAD_KEYS: `${entryA},${entryB}` })).toMatch(
      /SAVINGS_PAYLOAD_ACTIVE_KEY_ID is required/
    );
    expect(failure({ SAVINGS_PAYLOAD_KEYS: entryA, SAVINGS_PAYLOAD_ACTIVE_KEY_ID: 'nope' })).toMatch(
      /SAVINGS_PAYLOAD_ACTIVE_KEY_ID: "nope" is not among the keys/
    );
    expect(keyring({ SAVINGS_PAYLOAD_KEYS: entryA }).activeKeyId).toBe('test-only-a');
  });

  it('reads a key file (comments, one key a line) and refuses both sources at once or an unreadable file', () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'keys-'));
    const file = path.join(dir, 'keys');
    writeFileSync(file, `# rotation 2026-11\n${entryA}\n\n${entryB}  # new\n`);
    const ring = keyring({ SAVINGS_PAYLOAD_KEYS_FILE: file, SAVINGS_PAYLOAD_ACTIVE_KEY_ID: 'test-only-b' });
    expect([...ring.keys.keys()]).toEqual(['test-only-a', 'test-only-b']);
    expect(failure({ SAVINGS_PAYLOAD_KEYS_FILE: file, SAVINGS_PAYLOAD_KEYS: entryA })).toMatch(/set only one of/);
    expect(failure({ SAVINGS_PAYLOAD_KEYS_FILE: path.join(dir, 'missing') })).toMatch(
      /SAVINGS_PAYLOAD_KEYS_FILE: cannot read the file \(ENOENT\)/
    );
    writeFileSync(file, '# nothing here\n');
    expect(failure({ SAVINGS_PAYLOAD_KEYS_FILE: file })).toMatch(/SAVINGS_PAYLOAD_KEYS_FILE: no keys/);
  });

  it('falls back on the local development key file only when no variable is set, and refuses it where told', () => {
    const file = path.join(mkdtempSync(path.join(tmpdir(), 'devkey-')), 'payload-keys.local-dev');
    expect(ensureLocalDevKeyFile(file)).toBe(file);
    const content = readFileSync(file, 'utf8');
    expect(content).toMatch(/^# LOCAL DEVELOPMENT KEY/);
    expect(statSync(file).mode & 0o777).toBe(0o600);
    ensureLocalDevKeyFile(file); // kept, not regenerated: the local history stays readable
    expect(readFileSync(file, 'utf8')).toBe(content);

    const ring = loadPayloadKeyring({}, { localDevKeyFile: file });
    expect(ring.activeKeyId).toMatch(/^local-dev-\d{8}$/);
    expect(loadPayloadKeyring({ SAVINGS_PAYLOAD_KEYS: entryA }, { localDevKeyFile: file }).activeKeyId).toBe(
      'test-only-a'
    );
    expect(failure({}, { localDevKeyFile: file, refuseLocalDevKeys: true })).toMatch(
      /a local-dev-\* key \(FONDO_ENV is not local\)/
    );
  });
});
