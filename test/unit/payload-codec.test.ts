// The AES-256-GCM payload codec, its key loading from the environment, and the key file `npm start`
// keeps in data/.
import { defaultPayloadConverter, METADATA_ENCODING_KEY, type Payload } from '@temporalio/common';
import { temporal } from '@temporalio/proto';
import { mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { inspect } from 'node:util';
import { ConfigError } from '../../config/load';
import {
  AesGcmPayloadCodec,
  ENCRYPTED_ENCODING,
  METADATA_ENCRYPTION_KEY_ID,
  PayloadCodecError,
  loadCodecKeys,
  type PayloadKeyring,
} from '../../temporal/codec';
import { ballastDataConverter, ensurePayloadKeyFile } from '../../temporal/data-converter';

// Fixed test keys: 32 bytes each, written out so the base64 is checkable by hand.
const KEY_A = Buffer.alloc(32, 0xa1);
const KEY_B = Buffer.alloc(32, 0xb2);
const b64 = (b: Buffer) => b.toString('base64');
const ENV_A = { BALLAST_PAYLOAD_KEYS: `alpha:${b64(KEY_A)}` };
const ENV_B_THEN_A = { BALLAST_PAYLOAD_KEYS: `bravo:${b64(KEY_B)},alpha:${b64(KEY_A)}` };

const codecFor = (env: Record<string, string>) => new AesGcmPayloadCodec(loadCodecKeys(env) as PayloadKeyring);
const text = (b: Uint8Array | null | undefined) => Buffer.from(b ?? new Uint8Array()).toString('utf8');
const SECRET_AMOUNT = '1234567.890123';
const plainPayload = (): Payload => defaultPayloadConverter.toPayload({ amount: SECRET_AMOUNT, asset: 'USDC', to: '0xfeedbeef' });

describe('AesGcmPayloadCodec', () => {
  it('round-trips a payload, metadata included, and marks the ciphertext with the encoding and key id', async () => {
    const codec = codecFor(ENV_A);
    const original = plainPayload();
    const [encoded] = await codec.encode([original]);
    expect(text(encoded!.metadata![METADATA_ENCODING_KEY])).toBe('binary/encrypted');
    expect(text(encoded!.metadata![METADATA_ENCRYPTION_KEY_ID])).toBe('alpha');
    expect(Object.keys(encoded!.metadata!).sort()).toEqual(['encoding', 'encryption-key-id']);
    // IV (12) + ciphertext (= the serialized Payload proto) + tag (16).
    const protoLength = temporal.api.common.v1.Payload.encode(original).finish().length;
    expect(encoded!.data!.length).toBe(12 + protoLength + 16);

    const [decoded] = await codec.decode([encoded!]);
    expect(text(decoded!.metadata![METADATA_ENCODING_KEY])).toBe('json/plain');
    expect(defaultPayloadConverter.fromPayload(decoded!)).toEqual({ amount: SECRET_AMOUNT, asset: 'USDC', to: '0xfeedbeef' });
  });

  it('never lets the plaintext appear in the encoded bytes, and uses a fresh IV per payload', async () => {
    const codec = codecFor(ENV_A);
    const [one, two] = await codec.encode([plainPayload(), plainPayload()]);
    for (const p of [one!, two!]) {
      const wire = Buffer.from(temporal.api.common.v1.Payload.encode(p).finish());
      expect(wire.includes(Buffer.from(SECRET_AMOUNT))).toBe(false);
      expect(wire.includes(Buffer.from('json/plain'))).toBe(false);
      expect(wire.includes(Buffer.from('USDC'))).toBe(false);
    }
    expect(Buffer.from(one!.data!.subarray(0, 12)).equals(Buffer.from(two!.data!.subarray(0, 12)))).toBe(false);
    expect(Buffer.from(one!.data!).equals(Buffer.from(two!.data!))).toBe(false);
  });

  it('passes payloads that are not binary/encrypted through decode unchanged (older histories)', async () => {
    const codec = codecFor(ENV_A);
    const plain = plainPayload();
    const binary: Payload = { metadata: { [METADATA_ENCODING_KEY]: Buffer.from('binary/null') } };
    const [a, b] = await codec.decode([plain, binary]);
    expect(a).toBe(plain);
    expect(b).toBe(binary);
  });

  it('fails with the key id named when the key is unknown', async () => {
    const [encoded] = await codecFor(ENV_B_THEN_A).encode([plainPayload()]);
    const err = await codecFor(ENV_A).decode([encoded!]).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(PayloadCodecError);
    expect((err as PayloadCodecError).code).toBe('CODEC.UNKNOWN_KEY');
    expect((err as Error).message).toContain('key id "bravo"');
    expect((err as Error).message).toContain('BALLAST_PAYLOAD_KEYS');
    expect((err as Error).message).toContain('known ids: alpha');
  });

  it('fails authentication with a wrong key under the same id', async () => {
    const [encoded] = await codecFor(ENV_A).encode([plainPayload()]);
    const impostor = codecFor({ BALLAST_PAYLOAD_KEYS: `alpha:${b64(KEY_B)}` });
    const err = await impostor.decode([encoded!]).catch((e: unknown) => e);
    expect((err as PayloadCodecError).code).toBe('CODEC.AUTH_FAILED');
    expect((err as Error).message).toContain('"alpha"');
  });

  it.each([
    ['the IV', 0],
    ['the ciphertext', 20],
    ['the auth tag', -1],
  ])('rejects a payload with %s altered (GCM auth tag)', async (_what, at) => {
    const codec = codecFor(ENV_A);
    const [encoded] = await codec.encode([plainPayload()]);
    const data = Buffer.from(encoded!.data!);
    const i = at < 0 ? data.length + at : at;
    data[i] = data[i]! ^ 0x01;
    const err = await codec.decode([{ metadata: encoded!.metadata!, data }]).catch((e: unknown) => e);
    expect((err as PayloadCodecError).code).toBe('CODEC.AUTH_FAILED');
  });

  it('rejects an encrypted payload without a key id or too short to hold IV and tag', async () => {
    const codec = codecFor(ENV_A);
    const [encoded] = await codec.encode([plainPayload()]);
    const noId = { metadata: { [METADATA_ENCODING_KEY]: encoded!.metadata![METADATA_ENCODING_KEY]! }, data: encoded!.data! };
    expect(((await codec.decode([noId]).catch((e: unknown) => e)) as PayloadCodecError).code).toBe('CODEC.MISSING_KEY_ID');
    const short = { metadata: encoded!.metadata!, data: encoded!.data!.subarray(0, 27) };
    expect(((await codec.decode([short]).catch((e: unknown) => e)) as PayloadCodecError).code).toBe('CODEC.MALFORMED');
  });

  it('rotates: the first key encrypts, older keys still decrypt what they encrypted', async () => {
    const [old] = await codecFor(ENV_A).encode([plainPayload()]);
    const rotated = codecFor(ENV_B_THEN_A);
    const [fresh] = await rotated.encode([plainPayload()]);
    expect(text(fresh!.metadata![METADATA_ENCRYPTION_KEY_ID])).toBe('bravo');
    const [a, b] = await rotated.decode([old!, fresh!]);
    expect(defaultPayloadConverter.fromPayload(a!)).toEqual(defaultPayloadConverter.fromPayload(b!));
    expect(defaultPayloadConverter.fromPayload<{ amount: string }>(a!).amount).toBe(SECRET_AMOUNT);
  });

  it('round-trips an empty payload list and a payload without data', async () => {
    const codec = codecFor(ENV_A);
    expect(await codec.encode([])).toEqual([]);
    const nullish: Payload = { metadata: { [METADATA_ENCODING_KEY]: Buffer.from('binary/null') } };
    const [decoded] = await codec.decode(await codec.encode([nullish]));
    expect(text(decoded!.metadata![METADATA_ENCODING_KEY])).toBe('binary/null');
    expect(decoded!.data?.length ?? 0).toBe(0);
  });
});

describe('loadCodecKeys', () => {
  it('is off when the variable is unset or blank', () => {
    expect(loadCodecKeys({})).toBeUndefined();
    expect(loadCodecKeys({ BALLAST_PAYLOAD_KEYS: '  ' })).toBeUndefined();
    expect(ballastDataConverter({})).toBeUndefined();
    expect(ballastDataConverter(ENV_A)?.payloadCodecs).toHaveLength(1);
  });

  it('takes the first key as the active one and keeps the key bytes out of logs and JSON', () => {
    const ring = loadCodecKeys({ BALLAST_PAYLOAD_KEYS: ` bravo:${b64(KEY_B)} , alpha:${b64(KEY_A)} ` })!;
    expect(ring.activeKeyId).toBe('bravo');
    expect(ring.ids).toEqual(['bravo', 'alpha']);
    expect(ring.key('alpha')!.equals(KEY_A)).toBe(true);
    const shown = `${JSON.stringify(ring)} ${inspect(ring, { depth: 5 })} ${JSON.stringify(ballastDataConverter(ENV_A))} ${inspect(ballastDataConverter(ENV_A), { depth: 5 })}`;
    expect(shown).toContain('bravo');
    for (const k of [KEY_A, KEY_B]) {
      expect(shown).not.toContain(b64(k));
      expect(shown).not.toContain(k.toString('hex'));
      expect(shown).not.toContain(`${k.toString('hex', 0, 1)} ${k.toString('hex', 0, 1)}`); // inspect's <Buffer a1 a1 …>
      expect(shown).not.toContain(`${k[0]},${k[0]}`); // Buffer.toJSON's data array
    }
  });

  it.each([
    ['a missing separator', 'nokey', 'BALLAST_PAYLOAD_KEYS[0]: expected "<id>:<base64 key>"'],
    ['a short key', `short:${b64(Buffer.alloc(16, 1))}`, 'BALLAST_PAYLOAD_KEYS[0].key: expected 32 bytes after base64 decoding, got 16'],
    ['a key that is not base64', 'x:not base64!', 'BALLAST_PAYLOAD_KEYS[0].key: expected standard base64'],
    ['a bad id', `bad id:${b64(KEY_A)}`, 'BALLAST_PAYLOAD_KEYS[0].id: expected 1-64 characters'],
    ['a duplicate id', `alpha:${b64(KEY_A)},alpha:${b64(KEY_B)}`, 'BALLAST_PAYLOAD_KEYS[1].id: duplicate key id "alpha"'],
  ])('refuses %s, naming the variable and entry without echoing the key', (_what, value, message) => {
    let err: unknown;
    try {
      loadCodecKeys({ BALLAST_PAYLOAD_KEYS: value });
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(ConfigError);
    expect((err as Error).message).toContain(message);
    for (const k of [KEY_A, KEY_B, Buffer.alloc(16, 1)]) expect((err as Error).message).not.toContain(b64(k));
  });
});

describe('ensurePayloadKeyFile', () => {
  let dir: string;
  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'ballast-keys-'));
  });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  it('makes one 0600 key on the first start and returns the same one on later starts', async () => {
    const file = join(dir, 'data', 'payload-keys');
    const first = ensurePayloadKeyFile(file);
    expect(first.created).toBe(true);
    expect(statSync(file).mode & 0o777).toBe(0o600);
    expect(readFileSync(file, 'utf8').trim()).toBe(first.value);
    const ring = loadCodecKeys({ BALLAST_PAYLOAD_KEYS: first.value })!;
    expect(ring.ids).toHaveLength(1);
    expect(ring.key(ring.activeKeyId)!.length).toBe(32);

    const second = ensurePayloadKeyFile(file);
    expect(second).toEqual({ value: first.value, created: false, looseMode: false });
    // What the first start encrypted, the second start decrypts.
    const [sealed] = await new AesGcmPayloadCodec(ring).encode([plainPayload()]);
    const [opened] = await codecFor({ BALLAST_PAYLOAD_KEYS: second.value }).decode([sealed!]);
    expect(defaultPayloadConverter.fromPayload<{ amount: string }>(opened!).amount).toBe(SECRET_AMOUNT);
    expect(text(sealed!.metadata![METADATA_ENCODING_KEY])).toBe(ENCRYPTED_ENCODING);
  });

  it('reports a key file others can read, and refuses a malformed one naming the file', () => {
    const file = join(dir, 'payload-keys');
    writeFileSync(file, `ops:${b64(KEY_A)}\n`, { mode: 0o644 });
    expect(ensurePayloadKeyFile(file)).toMatchObject({ created: false, looseMode: true });
    writeFileSync(file, 'ops:tooshort\n');
    expect(() => ensurePayloadKeyFile(file)).toThrow(`${file}[0].key: expected 32 bytes after base64 decoding`);
  });
});
