// The data converter every Ballast Client, Worker and replay uses: the default JSON payload converter
// followed by the AES-GCM codec (temporal/codec.ts) when keys are configured.
import { mkdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';
import type { DataConverter } from '@temporalio/common';
import { AesGcmPayloadCodec, generateKeyEntry, loadCodecKeys, PAYLOAD_KEYS_ENV } from './codec';

/** `{ payloadCodecs: [AES-GCM] }`, or undefined when `BALLAST_PAYLOAD_KEYS` is unset (no encryption). */
export function ballastDataConverter(env: Record<string, string | undefined>): DataConverter | undefined {
  const keyring = loadCodecKeys(env);
  return keyring ? { payloadCodecs: [new AesGcmPayloadCodec(keyring)] } : undefined;
}

export interface PayloadKeyFile {
  /** The file's content, in the `BALLAST_PAYLOAD_KEYS` format, for the children's environment. */
  value: string;
  created: boolean;
  /** True when group or others may read the file (it should be 0600). */
  looseMode: boolean;
}

function readKeyFile(file: string): PayloadKeyFile {
  const value = readFileSync(file, 'utf8').trim();
  // Same validation as the variable; errors name the file.
  if (!loadCodecKeys({ [PAYLOAD_KEYS_ENV]: value }, file)) throw new Error(`${file} is empty: delete it to have a new key made, or put "<id>:<base64 key>" in it`);
  return { value, created: false, looseMode: (statSync(file).mode & 0o077) !== 0 };
}

/**
 * `npm start` without `BALLAST_PAYLOAD_KEYS`: one key made on the first start and kept in `file`
 * (0600, under the git-ignored data dir), so the histories in the dev server's SQLite file stay
 * readable across restarts. Later starts read it back.
 */
export function ensurePayloadKeyFile(file: string): PayloadKeyFile {
  try {
    return readKeyFile(file);
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code !== 'ENOENT') throw e;
  }
  mkdirSync(dirname(file), { recursive: true });
  const value = generateKeyEntry();
  try {
    // 'wx': never overwrite a key another start wrote a moment ago (that would orphan its payloads).
    writeFileSync(file, `${value}\n`, { mode: 0o600, flag: 'wx' });
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'EEXIST') return readKeyFile(file);
    throw e;
  }
  return { value, created: true, looseMode: false };
}
