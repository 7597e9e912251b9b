// Payload encryption on the real dev server: a client and worker with the AES-GCM codec run
// complianceCheck; the server's history holds only ciphertext; replay with the codec is deterministic;
// the API's codec endpoints decrypt for the Web UI and answer its CORS preflight; with a codec token
// they decrypt nothing without a credential (bearer or the /codec/login session cookie).
import { Client } from '@temporalio/client';
import { METADATA_ENCODING_KEY, type Payload } from '@temporalio/common';
import { historyToJSON } from '@temporalio/common/lib/proto-utils';
import { temporal } from '@temporalio/proto';
import { CODEC_COOKIE, sessionValue } from '../../api/codec-auth';
import { buildApi } from '../../api/server';
import { ConfigError } from '../../config/load';
import { ENCRYPTED_ENCODING, generateKeyEntry, METADATA_ENCRYPTION_KEY_ID } from '../../temporal/codec';
import { ballastDataConverter } from '../../temporal/data-converter';
import { replayHistories } from '../../temporal/history';
import { complianceCheck } from '../../workflows';
import { createTestWorker, openTestEnv, testConfig, testLogger, uniqueId, workflowBundlePath, type TestEnv } from './helpers';

const keyId = uniqueId('itest');
const dataConverter = ballastDataConverter({ BALLAST_PAYLOAD_KEYS: generateKeyEntry(keyId) })!;
const text = (b: Uint8Array | null | undefined) => Buffer.from(b ?? new Uint8Array()).toString('utf8');
const toJson = (p: Payload) => ({
  metadata: Object.fromEntries(Object.entries(p.metadata ?? {}).map(([k, v]) => [k, Buffer.from(v).toString('base64')])),
  data: Buffer.from(p.data ?? new Uint8Array()).toString('base64'),
});

type CodecBody = { payloads: { metadata: Record<string, string>; data: string }[] };

let env: TestEnv;
let encrypted: Client;
const config = testConfig();
const requester = `${uniqueId('ops')}@codec.test`;
const workflowId = uniqueId('codec-compliance');
let history: temporal.api.history.v1.IHistory;
let result: Awaited<ReturnType<typeof complianceCheck>>;

beforeAll(async () => {
  env = await openTestEnv();
  encrypted = new Client({ connection: env.connection, dataConverter });
  const worker = await createTestWorker(env, config, { dataConverter });
  result = await worker.runUntil(
    encrypted.workflow.execute(complianceCheck, { taskQueue: config.temporal.taskQueue, workflowId, args: [{ venue: 'alpha', requester }] }),
  );
  // env.client has no codec: it sees what the server stores.
  history = await env.client.workflow.getHandle(workflowId).fetchHistory();
});
afterAll(async () => env?.close());

describe('payload encryption end to end', () => {
  it('the worker decrypts the input and the client decrypts the result', () => {
    expect(result.venue).toBe('alpha');
    expect(result.checks.map((c) => c.name)).toEqual(['spread', 'depth', 'volume24h']);
  });

  it('stores only ciphertext: input, activity arguments and results, and the workflow result', () => {
    const events = history.events ?? [];
    const input = events[0]?.workflowExecutionStartedEventAttributes?.input?.payloads?.[0];
    expect(text(input?.metadata?.[METADATA_ENCODING_KEY])).toBe(ENCRYPTED_ENCODING);
    expect(text(input?.metadata?.[METADATA_ENCRYPTION_KEY_ID])).toBe(keyId);

    const payloads = events.flatMap((e) => [
      ...(e.workflowExecutionStartedEventAttributes?.input?.payloads ?? []),
      ...(e.activityTaskScheduledEventAttributes?.input?.payloads ?? []),
      ...(e.activityTaskCompletedEventAttributes?.result?.payloads ?? []),
      ...(e.workflowExecutionCompletedEventAttributes?.result?.payloads ?? []),
    ]);
    // 1 input + 3 activities (loadVenueProfile, fetchComplianceSnapshot, recordComplianceWindows) × (argument + result) + 1 workflow result.
    const activities = events.flatMap((e) => e.activityTaskScheduledEventAttributes?.activityType?.name ?? []);
    expect(activities).toEqual(['loadVenueProfile', 'fetchComplianceSnapshot', 'recordComplianceWindows']);
    expect(payloads).toHaveLength(8);
    for (const p of payloads) expect(text(p.metadata?.[METADATA_ENCODING_KEY])).toBe(ENCRYPTED_ENCODING);

    // The plaintext as the default JSON converter would have written it appears nowhere in the history.
    const raw = Buffer.from(temporal.api.history.v1.History.encode(history).finish());
    const amount = `"volume24hQuote":${JSON.stringify(result.volume24hQuote)}`;
    expect(raw.includes(Buffer.from(amount))).toBe(false);
    expect(raw.includes(Buffer.from(`"requester":${JSON.stringify(requester)}`))).toBe(false);
    // Search attributes (json/plain) are indexed by the server and never pass through a codec:
    // Requester is readable by anyone with access to the server, by Temporal's design.
    expect(raw.includes(Buffer.from(JSON.stringify(requester)))).toBe(true);
  });

  it('a client without the key cannot read the result', async () => {
    await expect(env.client.workflow.getHandle(workflowId).result()).rejects.toThrow(/binary\/encrypted/);
  });

  it('replays the encrypted history deterministically with the codec, and cannot without it', async () => {
    const json: unknown = JSON.parse(historyToJSON(history));
    const [withCodec] = await replayHistories({ workflowBundle: { codePath: workflowBundlePath() }, dataConverter }, [{ workflowId, json }]);
    expect(withCodec).toEqual({ workflowId, deterministic: true });
    const [withoutCodec] = await replayHistories({ workflowBundle: { codePath: workflowBundlePath() } }, [{ workflowId, json }]);
    expect(withoutCodec?.deterministic).toBe(false);
    expect(withoutCodec?.error).toContain('Unknown encoding: binary/encrypted');
    const wrongKey = ballastDataConverter({ BALLAST_PAYLOAD_KEYS: generateKeyEntry('other') });
    const [withWrongKey] = await replayHistories({ workflowBundle: { codePath: workflowBundlePath() }, dataConverter: wrongKey }, [{ workflowId, json }]);
    expect(withWrongKey?.deterministic).toBe(false);
    // The error names the missing key (core wraps the message in Rust debug quoting, hence two checks).
    expect(withWrongKey?.error).toContain(keyId);
    expect(withWrongKey?.error).toContain('which is not in BALLAST_PAYLOAD_KEYS (known ids: other)');
  });
});

describe('API codec endpoints', () => {
  const uiOrigin = `http://127.0.0.1:${config.temporal.uiPort}`;

  it('decodes an encrypted payload from the history to its plaintext JSON', async () => {
    const app = buildApi({ config, logger: testLogger, dataConverter });
    const input = history.events![0]!.workflowExecutionStartedEventAttributes!.input!.payloads![0]!;
    const r = await app.inject({
      method: 'POST',
      url: '/codec/decode',
      headers: { 'content-type': 'application/json', 'x-namespace': 'default', origin: uiOrigin },
      payload: { payloads: [toJson(input)] },
    });
    expect(r.statusCode).toBe(200);
    expect(r.headers['access-control-allow-origin']).toBe(uiOrigin);
    const [decoded] = r.json<CodecBody>().payloads;
    expect(Buffer.from(decoded!.metadata.encoding!, 'base64').toString()).toBe('json/plain');
    expect(JSON.parse(Buffer.from(decoded!.data, 'base64').toString())).toEqual({ venue: 'alpha', requester });
    await app.close();
  });

  it('encodes what the UI sends (the start-workflow form) so the worker can decrypt it, also under /codec/<namespace>/', async () => {
    const app = buildApi({ config, logger: testLogger, dataConverter });
    const plain = { metadata: { encoding: Buffer.from('json/plain').toString('base64') }, data: Buffer.from('{"venue":"bravo"}').toString('base64') };
    const enc = await app.inject({ method: 'POST', url: '/codec/default/encode', payload: { payloads: [plain] } });
    expect(enc.statusCode).toBe(200);
    const [sealed] = enc.json<CodecBody>().payloads;
    expect(Buffer.from(sealed!.metadata.encoding!, 'base64').toString()).toBe(ENCRYPTED_ENCODING);
    expect(Buffer.from(sealed!.data, 'base64').includes(Buffer.from('bravo'))).toBe(false);
    const [back] = await dataConverter.payloadCodecs![0]!.decode([
      { metadata: Object.fromEntries(Object.entries(sealed!.metadata).map(([k, v]) => [k, Buffer.from(v, 'base64')])), data: Buffer.from(sealed!.data, 'base64') },
    ]);
    expect(text(back!.data)).toBe('{"venue":"bravo"}');
    await app.close();
  });

  it('answers the Web UI preflight, refuses other origins, and names a key it does not have', async () => {
    const app = buildApi({ config, logger: testLogger, dataConverter });
    const pre = await app.inject({
      method: 'OPTIONS',
      url: '/codec/decode',
      headers: { origin: uiOrigin, 'access-control-request-method': 'POST', 'access-control-request-headers': 'content-type,x-namespace' },
    });
    expect(pre.statusCode).toBe(204);
    expect(pre.headers['access-control-allow-origin']).toBe(uiOrigin);
    expect(pre.headers['access-control-allow-headers']).toBe('Content-Type, X-Namespace, Authorization');
    expect(pre.headers['access-control-allow-methods']).toBe('POST, OPTIONS');

    const evil = await app.inject({ method: 'OPTIONS', url: '/codec/decode', headers: { origin: 'http://evil.example', 'access-control-request-method': 'POST' } });
    expect(evil.statusCode).toBe(403);
    expect(evil.headers['access-control-allow-origin']).toBeUndefined();

    const otherKeys = buildApi({ config, logger: testLogger, dataConverter: ballastDataConverter({ BALLAST_PAYLOAD_KEYS: generateKeyEntry('other') }) });
    const input = history.events![0]!.workflowExecutionStartedEventAttributes!.input!.payloads![0]!;
    const r = await otherKeys.inject({ method: 'POST', url: '/codec/decode', payload: { payloads: [toJson(input)] } });
    expect(r.statusCode).toBe(400);
    expect(r.json()).toMatchObject({ code: 'CODEC.UNKNOWN_KEY' });
    expect(r.json<{ error: string }>().error).toContain(`"${keyId}"`);
    const bad = await otherKeys.inject({ method: 'POST', url: '/codec/decode', payload: { payloads: [{ data: 42 }] } });
    expect(bad.statusCode).toBe(400);
    expect(bad.json<{ issues: { path: string }[] }>().issues[0]!.path).toBe('payloads[0].data');
    await Promise.all([app.close(), otherKeys.close()]);
  });

  it('serves the latest compliance verdict from encrypted results', async () => {
    const app = buildApi({ config, logger: testLogger, dataConverter });
    let body: { workflowId?: string; result?: { venue: string; volume24hQuote: string } } = {};
    for (let i = 0; i < 50 && body.workflowId !== workflowId; i++) {
      // Visibility is eventually consistent: the run shows up in list queries shortly after it closes.
      const r = await app.inject({ method: 'GET', url: '/api/compliance/alpha' });
      if (r.statusCode === 200) body = r.json();
      if (body.workflowId !== workflowId) await new Promise((res) => setTimeout(res, 100));
    }
    expect(body.workflowId).toBe(workflowId);
    expect(body.result?.volume24hQuote).toBe(result.volume24hQuote);
    await app.close();
  });
});

describe('codec endpoint auth (issue 11, acceptance 7)', () => {
  const token = 'tok-' + 'a1b2c3d4'.repeat(6);
  const uiOrigin = `http://localhost:${config.temporal.uiPort}`;
  const encryptedInput = () => toJson(history.events![0]!.workflowExecutionStartedEventAttributes!.input!.payloads![0]!);
  const decodedInput = (body: CodecBody): unknown => JSON.parse(Buffer.from(body.payloads[0]!.data, 'base64').toString());

  it('over a real socket: no credential 401, a wrong bearer 403, the right bearer decodes', async () => {
    const app = buildApi({ config, logger: testLogger, dataConverter, codecAuth: { token } });
    await app.listen({ host: '127.0.0.1', port: 0 });
    const { port } = app.server.address() as { port: number };
    const decode = (headers: Record<string, string>) =>
      fetch(`http://127.0.0.1:${port}/codec/decode`, { method: 'POST', headers: { 'content-type': 'application/json', ...headers }, body: JSON.stringify({ payloads: [encryptedInput()] }) });
    try {
      const none = await decode({});
      expect(none.status).toBe(401);
      expect(none.headers.get('www-authenticate')).toBe('Bearer realm="ballast-codec"');
      const noneBody = (await none.json()) as { error: string; payloads?: unknown };
      expect(noneBody.error).toMatch(/need a credential/);
      expect(noneBody.payloads).toBeUndefined();
      const wrong = await decode({ authorization: `Bearer ${token}x` });
      expect(wrong.status).toBe(403);
      expect(JSON.stringify(await wrong.json())).not.toContain('requester');
      const right = await decode({ authorization: `Bearer ${token}` });
      expect(right.status).toBe(200);
      expect(decodedInput((await right.json()) as CodecBody)).toEqual({ venue: 'alpha', requester });
      // /codec/<namespace>/encode (the CLI's template) is guarded the same way.
      const enc = await fetch(`http://127.0.0.1:${port}/codec/default/encode`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{"payloads":[]}' });
      expect(enc.status).toBe(401);
    } finally {
      await app.close();
    }
  });

  it('the Web UI path: login with the token sets an HttpOnly session cookie, which decodes with credentials allowed; wrong token, tampered and expired cookies are refused', async () => {
    const app = buildApi({ config, logger: testLogger, dataConverter, codecAuth: { token } });
    const form = { 'content-type': 'application/x-www-form-urlencoded' };
    const page = await app.inject({ method: 'GET', url: '/codec/login' });
    expect(page.statusCode).toBe(200);
    expect(page.body).toContain('name="token"');
    const bad = await app.inject({ method: 'POST', url: '/codec/login', headers: form, payload: 'token=guess' });
    expect(bad.statusCode).toBe(403);
    expect(bad.headers['set-cookie']).toBeUndefined();
    const login = await app.inject({ method: 'POST', url: '/codec/login', headers: form, payload: new URLSearchParams({ token }).toString() });
    expect(login.statusCode).toBe(200);
    const setCookie = String(login.headers['set-cookie']);
    expect(setCookie).toMatch(new RegExp(`^${CODEC_COOKIE}=v1\\.\\d+\\.[A-Za-z0-9_-]{43}; Path=/codec; Max-Age=43200; HttpOnly; SameSite=Strict$`));
    expect(setCookie).not.toContain(token);
    const cookie = setCookie.split(';')[0]!;

    const decode = (c: string) =>
      app.inject({ method: 'POST', url: '/codec/decode', headers: { 'content-type': 'application/json', origin: uiOrigin, cookie: c }, payload: { payloads: [encryptedInput()] } });
    const ok = await decode(cookie);
    expect(ok.statusCode).toBe(200);
    expect(ok.headers['access-control-allow-origin']).toBe(uiOrigin);
    expect(ok.headers['access-control-allow-credentials']).toBe('true');
    expect(decodedInput(ok.json<CodecBody>())).toEqual({ venue: 'alpha', requester });

    const [, expires, sig] = cookie.split('=')[1]!.split('.');
    expect((await decode(`${CODEC_COOKIE}=v1.${Number(expires) + 1}.${sig}`)).statusCode).toBe(403); // extended by hand
    expect((await decode(`${CODEC_COOKIE}=${sessionValue('another-token-'.repeat(3), Number(expires))}`)).statusCode).toBe(403); // signed by another token
    const stale = await decode(`${CODEC_COOKIE}=${sessionValue(token, Date.now() - 1)}`); // a session that ended a moment ago
    expect(stale.statusCode).toBe(401);
    expect(stale.json<{ error: string }>().error).toMatch(/expired/);
    // The preflight carries no credential and is answered; the decode behind it still needs one.
    const pre = await app.inject({ method: 'OPTIONS', url: '/codec/decode', headers: { origin: uiOrigin, 'access-control-request-method': 'POST' } });
    expect(pre.statusCode).toBe(204);
    expect(pre.headers['access-control-allow-credentials']).toBe('true');
    const out = await app.inject({ method: 'POST', url: '/codec/logout' });
    expect(String(out.headers['set-cookie'])).toContain('Max-Age=0');
    await app.close();
  });

  it('a non-loopback bind without a token refuses to start; loopback without one stays open (the embedded dev default)', async () => {
    const exposed = testConfig((raw) => (raw.api.host = '0.0.0.0'));
    expect(() => buildApi({ config: exposed, logger: testLogger, dataConverter })).toThrow(ConfigError);
    expect(() => buildApi({ config: exposed, logger: testLogger, dataConverter })).toThrow(/api\.host 0\.0\.0\.0 is not a loopback address .* set BALLAST_CODEC_TOKEN/);
    const withToken = buildApi({ config: exposed, logger: testLogger, dataConverter, codecAuth: { token } });
    expect((await withToken.inject({ method: 'POST', url: '/codec/decode', payload: { payloads: [encryptedInput()] } })).statusCode).toBe(401);
    await withToken.close();
    const open = buildApi({ config, logger: testLogger, dataConverter });
    const r = await open.inject({ method: 'POST', url: '/codec/decode', payload: { payloads: [encryptedInput()] } });
    expect(r.statusCode).toBe(200);
    await open.close();
  });
});
