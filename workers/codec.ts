/**
 * Payload encryption: a Temporal PayloadCodec with AES-256-GCM, a fresh random 96-bit IV per payload, and the key
 * id in the payload's metadata so keys can rotate (new payloads use the active key; any configured key decrypts).
 *
 * Wire format of an encrypted payload:
 *   metadata.encoding          = "binary/encrypted"
 *   metadata.encryption-key-id = the key id (UTF-8)
 *   data                       = IV (12 bytes) ‖ ciphertext ‖ GCM tag (16 bytes)
 * The plaintext is the original Payload (metadata and data) in protobuf form, so decoding restores it exactly.
 * The additional authenticated data binds the format version and the key id: swapping the key id or editing a
 * single byte of IV, ciphertext or tag fails decryption.
 *
 * Payloads without the "binary/encrypted" encoding pass through decode unchanged: histories recorded before
 * encryption (test/replay/histories) and payloads written by a process without the codec stay readable. Encode
 * always encrypts. Search attributes never pass through a codec (the SDK encodes them apart), so they stay plain.
 *
 * node:crypto cannot enter the workflow bundle: this module is used by processes (worker, bridge, CLI, codec
 * server) and tests only, never imported from shared/ or workflows/.
 */
import { createCipheriv, createDecipheriv, randomBytes } from 'node:crypto';
import { type Payload, type PayloadCodec, ValueError } from '@temporalio/common';
import { temporal } from '@temporalio/proto';

export const ENCRYPTED_ENCODING = 'binary/encrypted';
export const KEY_ID_METADATA = 'encryption-key-id';
const ALGORITHM = 'aes-256-gcm';
const IV_BYTES = 12;
const TAG_BYTES = 16;
export const KEY_BYTES = 32;
const AAD_PREFIX = 'fondo-savings/payload/v1/';
/** Key ids are opaque labels (rotation generations), never personal data; they are visible in history. */
export const KEY_ID_PATTERN = /^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$/;

/** The configured keys: one active key for new payloads, all of them for decryption. */
export interface PayloadKeyring {
  activeKeyId: string;
  keys: ReadonlyMap<string, Buffer>;
}

/** A payload that cannot be decrypted. The message names the key id and the reason, never payload content. */
export class PayloadDecryptionError extends ValueError {
  override name = 'PayloadDecryptionError';
}

const utf8 = new TextEncoder();
const utf8Decoder = new TextDecoder();

export class AesGcmPayloadCodec implements PayloadCodec {
  private readonly activeKey: Buffer;

  constructor(private readonly keyring: PayloadKeyring) {
    const active = keyring.keys.get(keyring.activeKeyId);
    if (!active) throw new Error(`active payload key "${keyring.activeKeyId}" is not among the configured keys`);
    for (const [id, key] of keyring.keys) {
      if (key.length !== KEY_BYTES) throw new Error(`payload key "${id}" must be ${KEY_BYTES} bytes`);
    }
    this.activeKey = active;
  }

  // Synchronous node:crypto inside an async method, so that a failure is a rejection, as callers expect.
  // eslint-disable-next-line @typescript-eslint/require-await
  async encode(payloads: Payload[]): Promise<Payload[]> {
    return payloads.map((p) => this.encrypt(p));
  }

  // eslint-disable-next-line @typescript-eslint/require-await
  async decode(payloads: Payload[]): Promise<Payload[]> {
    return payloads.map((p) => this.decrypt(p));
  }

  private encrypt(payload: Payload): Payload {
    const keyId = this.keyring.activeKeyId;
    const iv = randomBytes(IV_BYTES);
    const cipher = createCipheriv(ALGORITHM, this.activeKey, iv, { authTagLength: TAG_BYTES });
    cipher.setAAD(aad(keyId));
    const plaintext = temporal.api.common.v1.Payload.encode(payload).finish();
    const ciphertext = Buffer.concat([cipher.update(plaintext), cipher.final()]);
    return {
      metadata: { encoding: utf8.encode(ENCRYPTED_ENCODING), [KEY_ID_METADATA]: utf8.encode(keyId) },
      data: Buffer.concat([iv, ciphertext, cipher.getAuthTag()]),
    };
  }

  private decrypt(payload: Payload): Payload {
    if (!isEncrypted(payload)) return payload;
    const rawKeyId = payload.metadata?.[KEY_ID_METADATA];
    if (!rawKeyId) throw new PayloadDecryptionError('encrypted payload has no key id');
    const keyId = utf8Decoder.decode(rawKeyId);
    const key = this.keyring.keys.get(keyId);
    if (!key) {
      throw new PayloadDecryptionError(
        `encrypted payload uses key "${KEY_ID_PATTERN.test(keyId) ? keyId : '(invalid id)'}", which is not configured`
      );
    }
    const data = payload.data ?? new Uint8Array();
    if (data.length < IV_BYTES + TAG_BYTES) throw new PayloadDecryptionError('encrypted payload is truncated');
    const buf = Buffer.from(data.buffer, data.byteOffset, data.byteLength);
    const decipher = createDecipheriv(ALGORITHM, key, buf.subarray(0, IV_BYTES), { authTagLength: TAG_BYTES });
    decipher.setAAD(aad(keyId));
    decipher.setAuthTag(buf.subarray(buf.length - TAG_BYTES));
    let plaintext: Buffer;
    try {
      plaintext = Buffer.concat([decipher.update(buf.subarray(IV_BYTES, buf.length - TAG_BYTES)), decipher.final()]);
    } catch {
      throw new PayloadDecryptionError(`encrypted payload with key "${keyId}" failed authentication`);
    }
    const decoded = temporal.api.common.v1.Payload.decode(plaintext);
    return { metadata: decoded.metadata, data: decoded.data };
  }
}

export function isEncrypted(payload: Payload): boolean {
  const encoding = payload.metadata?.encoding;
  return encoding !== undefined && encoding !== null && utf8Decoder.decode(encoding) === ENCRYPTED_ENCODING;
}

function aad(keyId: string): Buffer {
  return Buffer.from(AAD_PREFIX + keyId, 'utf8');
}
