// The chaos run's secret scan: every secret value the run knows (venue API keys and secrets, the
// payload codec key, private keys, the database password) searched in the workflow histories — after
// decoding every payload through the same codec the workers use, so an encrypted history cannot hide
// a secret from the scan — and in the worker and server log files.
import type { Payload, PayloadCodec } from '@temporalio/common';

export interface Secret {
  /** What it is (printed on a hit; never the value). */
  name: string;
  value: string;
}

export interface SecretHit {
  secret: string;
  where: string;
}

/** The spellings a value may take in text: as is, hex without 0x (any case), URL-encoded. */
function needles(value: string): string[] {
  const out = new Set<string>([value.toLowerCase()]);
  if (/^0x[0-9a-f]+$/i.test(value)) out.add(value.slice(2).toLowerCase());
  out.add(encodeURIComponent(value).toLowerCase());
  return [...out];
}

/**
 * Every secret whose value occurs in `text` (case-insensitive). Values shorter than 12 characters
 * are refused: they would match by chance and say nothing.
 */
export function findSecrets(text: string, secrets: readonly Secret[], where: string): SecretHit[] {
  const hay = text.toLowerCase();
  const hits: SecretHit[] = [];
  for (const s of secrets) {
    if (s.value.length < 12) throw new Error(`secret "${s.name}" is too short to scan for (${s.value.length} characters)`);
    if (needles(s.value).some((n) => hay.includes(n))) hits.push({ secret: s.name, where });
  }
  return hits;
}

function isPayload(o: unknown): o is Payload {
  if (o === null || typeof o !== 'object') return false;
  const p = o as Record<string, unknown>;
  return p.data instanceof Uint8Array && p.metadata !== null && typeof p.metadata === 'object';
}

const utf8 = (b: Uint8Array | null | undefined): string => (b ? Buffer.from(b).toString('utf8') : '');

/** Every Payload object inside a history (event attributes, failures' encoded attributes, headers, memos). */
export function collectPayloads(root: unknown): Payload[] {
  const found: Payload[] = [];
  const seen = new WeakSet<object>();
  const walk = (node: unknown): void => {
    if (node === null || typeof node !== 'object' || node instanceof Uint8Array) return;
    if (seen.has(node)) return;
    seen.add(node);
    if (isPayload(node)) {
      found.push(node);
      return;
    }
    for (const v of Array.isArray(node) ? node : Object.values(node)) walk(v);
  };
  walk(root);
  return found;
}

export interface DecodedHistory {
  /** The history's clear fields (failure messages, identities...) and every decoded payload, as text. */
  text: string;
  payloads: number;
  /** Payloads the codec left encrypted (unknown key): their content was NOT scanned. */
  undecoded: number;
}

/**
 * Decodes every payload of a fetched history through `codec` and returns all of it as text: the
 * history's own fields (with payload bytes left out) followed by each payload's metadata and data.
 */
export async function decodeHistoryText(history: unknown, codec: PayloadCodec | undefined): Promise<DecodedHistory> {
  const raw = collectPayloads(history);
  let decoded: Payload[] = raw;
  if (codec) {
    decoded = [];
    for (const p of raw) {
      try {
        decoded.push(...(await codec.decode([p])));
      } catch {
        decoded.push(p); // still encrypted: counted below
      }
    }
  }
  const undecoded = decoded.filter((p) => utf8(p.metadata?.encoding) === 'binary/encrypted').length;
  const skeleton = JSON.stringify(history, (_k, v: unknown) => (v instanceof Uint8Array ? `<${v.length} bytes>` : v));
  const parts = decoded.map((p) => `${Object.entries(p.metadata ?? {}).map(([k, v]) => `${k}=${utf8(v)}`).join(' ')} ${utf8(p.data)}`);
  return { text: `${skeleton}\n${parts.join('\n')}`, payloads: raw.length, undecoded };
}
