// AES-256-GCM payload codec: every payload leaves the process encrypted (the Temporal server, its
// SQLite file and exported histories only ever hold ciphertext) and is decrypted by the client, the
// workers, replay and the API's codec endpoints. Keys come from the environment only.
//
// Wire format of an encrypted payload (the same layout as Temporal's Go/Python encryption samples):
//   metadata.encoding          = "binary/encrypted"
//   metadata.encryption-key-id = the id of the key that encrypted it (rotation: old ids still decode)
//   data                       = IV (12 random bytes) ‖ AES-256-GCM ciphertext ‖ auth tag (16 bytes)
// The plaintext is the whole serialized Payload proto, so the original metadata (e.g. json/plain) is
// encrypted too and restored on decode.
import { createCipheriv, createDecipheriv, randomBytes } from 'node:crypto';
import { METADATA_ENCODING_KEY, type Payload, type PayloadCodec } from '@temporalio/common';
import { temporal } from '@temporalio/proto';
import { z } from 'zod';
import { ConfigError } from '../config/load';

export const ENCRYPTED_ENCODING = 'binary/encrypted';
export const METADATA_ENCRYPTION_KEY_ID = 'encryption-key-id';
export const PAYLOAD_KEYS_ENV = 'BALLAST_PAYLOAD_KEYS';

const IV_BYTES = 12;
const TAG_BYTES = 16;
const KEY_BYTES = 32;
const ProtoPayload = temporal.api.common.v1.Payload;

export type PayloadCodecErrorCode = 'CODEC.MISSING_KEY_ID' | 'CODEC.UNKNOWN_KEY' | 'CODEC.MALFORMED' | 'CODEC.AUTH_FAILED';

export class PayloadCodecError extends Error {
  constructor(
    readonly code: PayloadCodecErrorCode,
    message: string,
  ) {
    super(message);
    this.name = 'PayloadCodecError';
  }
}

/**
 * The keys, by id; the first one encrypts. Key bytes live in a private field so a logged or
 * JSON-serialized keyring (or codec) shows ids only.
 */
export class PayloadKeyring {
  readonly #keys: Map<string, Buffer>;
  readonly activeKeyId: string;

  constructor(entries: readonly (readonly [string, Buffer])[]) {
    const first = entries[0];
    if (!first) throw new ConfigError(`${PAYLOAD_KEYS_ENV}: at least one key is required`);
    this.#keys = new Map(entries.map(([id, key]) => [id, Buffer.from(key)]));
    this.activeKeyId = first[0];
  }

  get ids(): string[] {
    return [...this.#keys.keys()];
  }

  key(id: string): Buffer | undefined {
    return this.#keys.get(id);
  }

  toJSON(): { activeKeyId: string; ids: string[] } {
    return { activeKeyId: this.activeKeyId, ids: this.ids };
  }
}

const KEY_ID = /^[A-Za-z0-9._-]{1,64}$/;
const BASE64 = /^[A-Za-z0-9+/]+={0,2}$/;

const KeyEntrySchema = z
  .string()
  .transform((entry, ctx) => {
    const sep = entry.indexOf(':');
    if (sep < 0) {
      ctx.addIssue({ code: 'custom', message: 'expected "<id>:<base64 key>"' });
      return z.NEVER;
    }
    const id = entry.slice(0, sep).trim();
    const b64 = entry.slice(sep + 1).trim();
    if (!KEY_ID.test(id)) ctx.addIssue({ code: 'custom', path: ['id'], message: 'expected 1-64 characters of A-Z a-z 0-9 . _ -' });
    // Never echo the key material in an error: only its decoded length.
    if (!BASE64.test(b64)) {
      ctx.addIssue({ code: 'custom', path: ['key'], message: 'expected standard base64 (A-Z a-z 0-9 + / =)' });
      return z.NEVER;
    }
    const key = Buffer.from(b64, 'base64');
    if (key.length !== KEY_BYTES) ctx.addIssue({ code: 'custom', path: ['key'], message: `expected ${KEY_BYTES} bytes after base64 decoding, got ${key.length}` });
    return [id, key] as const;
  });

const KeyListSchema = z.array(KeyEntrySchema).superRefine((entries, ctx) => {
  const seen = new Set<string>();
  entries.forEach(([id], i) => {
    if (seen.has(id)) ctx.addIssue({ code: 'custom', path: [i, 'id'], message: `duplicate key id "${id}"` });
    seen.add(id);
  });
});

function issuePath(path: readonly PropertyKey[]): string {
  return path.map((p) => (typeof p === 'number' ? `[${p}]` : `.${String(p)}`)).join('');
}

/**
 * Parses `BALLAST_PAYLOAD_KEYS` = `id:base64key[,id:base64key…]` (32-byte keys; the first encrypts,
 * the others only decrypt). Undefined when the variable is unset or empty: encryption is off.
 * `source` names where the value came from in errors (the variable, or a key file).
 */
export function loadCodecKeys(env: Record<string, string | undefined>, source: string = PAYLOAD_KEYS_ENV): PayloadKeyring | undefined {
  const raw = env[PAYLOAD_KEYS_ENV]?.trim();
  if (!raw) return undefined;
  const r = KeyListSchema.safeParse(raw.split(',').map((s) => s.trim()));
  if (!r.success) {
    const lines = r.error.issues.map((i) => `  - ${source}${issuePath(i.path)}: ${i.message}`);
    throw new ConfigError(`invalid payload encryption keys in ${source}:\n${lines.join('\n')}`);
  }
  return new PayloadKeyring(r.data);
}

/** A fresh key entry in the `BALLAST_PAYLOAD_KEYS` format: `<id>:<base64 of 32 random bytes>`. */
export function generateKeyEntry(id = `key-${randomBytes(4).toString('hex')}`): string {
  return `${id}:${randomBytes(KEY_BYTES).toString('base64')}`;
}

const utf8 = (s: string): Uint8Array => Buffer.from(s, 'utf8');
const text = (b: Uint8Array | null | undefined): string | undefined => (b ? Buffer.from(b).toString('utf8') : undefined);

/** Encrypted payloads are recognised by their metadata alone; everything else passes through decode. */
export function isEncryptedPayload(p: Payload): boolean {
  return text(p.metadata?.[METADATA_ENCODING_KEY]) === ENCRYPTED_ENCODING;
}

export class AesGcmPayloadCodec implements PayloadCodec {
  constructor(private readonly keyring: PayloadKeyring) {}

  async encode(payloads: Payload[]): Promise<Payload[]> {
    const keyId = this.keyring.activeKeyId;
    const key = this.keyring.key(keyId)!;
    return payloads.map((payload) => {
      const plain = ProtoPayload.encode(payload).finish();
      const iv = randomBytes(IV_BYTES);
      const cipher = createCipheriv('aes-256-gcm', key, iv, { authTagLength: TAG_BYTES });
      const sealed = Buffer.concat([iv, cipher.update(plain), cipher.final(), cipher.getAuthTag()]);
      return { metadata: { [METADATA_ENCODING_KEY]: utf8(ENCRYPTED_ENCODING), [METADATA_ENCRYPTION_KEY_ID]: utf8(keyId) }, data: sealed };
    });
  }

  async decode(payloads: Payload[]): Promise<Payload[]> {
    return payloads.map((payload) => (isEncryptedPayload(payload) ? this.decrypt(payload) : payload));
  }

  private decrypt(payload: Payload): Payload {
    const keyId = text(payload.metadata?.[METADATA_ENCRYPTION_KEY_ID]);
    if (!keyId) throw new PayloadCodecError('CODEC.MISSING_KEY_ID', `an encrypted payload has no "${METADATA_ENCRYPTION_KEY_ID}" metadata: cannot tell which key decrypts it`);
    const shownId = JSON.stringify(keyId.slice(0, 64));
    const key = this.keyring.key(keyId);
    if (!key) {
      throw new PayloadCodecError(
        'CODEC.UNKNOWN_KEY',
        `payload encrypted with key id ${shownId}, which is not in ${PAYLOAD_KEYS_ENV} (known ids: ${this.keyring.ids.join(', ')}); ` +
          'after a rotation keep the old key after the new one',
      );
    }
    const data = Buffer.from(payload.data ?? new Uint8Array());
    if (data.length < IV_BYTES + TAG_BYTES) {
      throw new PayloadCodecError('CODEC.MALFORMED', `payload encrypted with key id ${shownId} is ${data.length} bytes: too short for IV and auth tag`);
    }
    const decipher = createDecipheriv('aes-256-gcm', key, data.subarray(0, IV_BYTES), { authTagLength: TAG_BYTES });
    decipher.setAuthTag(data.subarray(data.length - TAG_BYTES));
    let plain: Buffer;
    try {
      plain = Buffer.concat([decipher.update(data.subarray(IV_BYTES, data.length - TAG_BYTES)), decipher.final()]);
    } catch {
      throw new PayloadCodecError('CODEC.AUTH_FAILED', `payload encrypted with key id ${shownId} failed authentication: a different key under that id, or altered ciphertext`);
    }
    return ProtoPayload.decode(plain);
  }
}
