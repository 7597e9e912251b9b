// Temporal codec-server endpoints, so the Web UI (started with `--ui-codec-endpoint <api>/codec`)
// and the CLI (`--codec-endpoint <api>/codec`) show decrypted payloads and encrypt what operators
// type into the start-workflow form. Protocol: POST …/encode and …/decode with the proto3-JSON of
// Payloads (`{"payloads":[{"metadata":{"encoding":"<base64>"},"data":"<base64>"}]}`) both ways;
// 400 for a bad body or a codec error. Only the last path segment matters, so `/codec/<namespace>/decode`
// (the CLI's `{namespace}` template) works too. Who may call them: api/codec-auth.ts (a bearer token,
// or the session cookie of /codec/login for the Web UI).
import type { Payload, PayloadCodec } from '@temporalio/common';
import type { FastifyPluginAsync, FastifyReply, FastifyRequest } from 'fastify';
import { z } from 'zod';
import type { BallastConfig } from '../domain/config.schema';
import { toFieldIssues } from '../domain/errors';
import { isEncryptedPayload, PAYLOAD_KEYS_ENV, PayloadCodecError } from '../temporal/codec';
import { checkCodecRequest, clearedSessionCookie, CODEC_SESSION_MS, sessionCookie, tokenMatches, type CodecAuth } from './codec-auth';

export interface CodecRoutesOptions {
  /** The data converter's codecs, in encode order; none means encryption is off. */
  codecs: readonly PayloadCodec[];
  /** Browser origins allowed to call (the Web UI's). Requests without an Origin (CLI, curl) are allowed. */
  allowedOrigins: readonly string[];
  /** The credential the endpoints require (none: open, loopback binds only — see assertCodecAuthForBind). */
  auth?: CodecAuth;
  now?: () => number;
}

/** Where the Temporal Web UI of this config is served from, as a browser names it. */
export function webUiOrigins(config: BallastConfig): string[] {
  const host = config.temporal.address.split(':')[0] ?? '127.0.0.1';
  const port = config.temporal.uiPort;
  return [...new Set([host, '127.0.0.1', 'localhost'].filter((h) => h !== '0.0.0.0').map((h) => `http://${h}:${port}`))];
}

// proto3 JSON bytes: standard or URL-safe base64, padding optional.
const zBytes = z.string().regex(/^[A-Za-z0-9+/_-]*={0,2}$/, 'expected base64');
const PayloadsBody = z.object({
  payloads: z.array(z.object({ metadata: z.record(z.string(), zBytes).nullish(), data: zBytes.nullish() })),
});
type JsonPayload = z.infer<typeof PayloadsBody>['payloads'][number];

const fromJson = (p: JsonPayload): Payload => ({
  metadata: Object.fromEntries(Object.entries(p.metadata ?? {}).map(([k, v]) => [k, Buffer.from(v, 'base64')])),
  data: Buffer.from(p.data ?? '', 'base64'),
});
const toJson = (p: Payload): { metadata: Record<string, string>; data: string } => ({
  metadata: Object.fromEntries(Object.entries(p.metadata ?? {}).map(([k, v]) => [k, Buffer.from(v).toString('base64')])),
  data: Buffer.from(p.data ?? new Uint8Array()).toString('base64'),
});

const ALLOW_HEADERS = 'Content-Type, X-Namespace, Authorization';
// Histories of big workflows carry large payloads; Temporal itself allows 2 MB per payload.
const BODY_LIMIT = 8 * 1024 * 1024;

/** A fastify plugin: `app.register(codecRoutes, { codecs, allowedOrigins })`. */
export const codecRoutes: FastifyPluginAsync<CodecRoutesOptions> = async (app, opts) => {
  const origins = new Set(opts.allowedOrigins);
  const auth: CodecAuth = opts.auth ?? {};
  const now = opts.now ?? (() => Date.now());

  /** Sets the CORS headers; false (and a 403 sent) when a browser from another origin calls. */
  const cors = (req: FastifyRequest, reply: FastifyReply): boolean => {
    const origin = req.headers.origin;
    void reply.header('Vary', 'Origin');
    if (origin === undefined) return true;
    if (!origins.has(origin)) {
      void reply.code(403).send({ error: `origin ${origin} may not use the codec endpoints (allowed: ${[...origins].join(', ')})` });
      return false;
    }
    // The Web UI sends its session cookie only when the answer allows credentials.
    void reply.header('Access-Control-Allow-Origin', origin).header('Access-Control-Allow-Credentials', 'true');
    return true;
  };

  /** False (and a 401/403 sent) without a valid credential. Never logs the credential. */
  const authorized = (req: FastifyRequest, reply: FastifyReply): boolean => {
    const r = checkCodecRequest(auth, { authorization: req.headers.authorization, cookie: req.headers.cookie }, now());
    if (r.ok) return true;
    req.log.warn({ status: r.status, origin: req.headers.origin }, 'codec request refused: no valid credential');
    void reply.code(r.status).header('WWW-Authenticate', 'Bearer realm="ballast-codec"').send({ error: r.error });
    return false;
  };

  const run = async (req: FastifyRequest, reply: FastifyReply, op: 'encode' | 'decode') => {
    if (!cors(req, reply) || !authorized(req, reply)) return reply;
    const body = PayloadsBody.safeParse(req.body);
    if (!body.success) return reply.code(400).send({ error: 'expected {"payloads": [{"metadata": {…base64}, "data": "<base64>"}]}', issues: toFieldIssues(body.error) });
    let payloads = body.data.payloads.map(fromJson);
    try {
      if (op === 'encode') for (const c of opts.codecs) payloads = await c.encode(payloads);
      else if (opts.codecs.length) for (const c of [...opts.codecs].reverse()) payloads = await c.decode(payloads);
      else if (payloads.some(isEncryptedPayload)) {
        throw new PayloadCodecError('CODEC.UNKNOWN_KEY', `the payloads are encrypted but this API has no keys: set ${PAYLOAD_KEYS_ENV}`);
      }
    } catch (e) {
      const err = e as Error;
      req.log.warn({ op, code: (e as { code?: string }).code, err: err.message }, 'codec request failed');
      return reply.code(400).send({ error: err.message, ...(e instanceof PayloadCodecError ? { code: e.code } : {}) });
    }
    return reply.send({ payloads: payloads.map(toJson) });
  };

  const preflight = async (req: FastifyRequest, reply: FastifyReply) => {
    if (!cors(req, reply)) return reply;
    void reply.header('Access-Control-Allow-Methods', 'POST, OPTIONS').header('Access-Control-Allow-Headers', ALLOW_HEADERS).header('Access-Control-Max-Age', '600');
    // Chrome's Private Network Access asks before a page reaches a loopback address.
    if (req.headers['access-control-request-private-network'] === 'true') void reply.header('Access-Control-Allow-Private-Network', 'true');
    return reply.code(204).send();
  };

  // The Web UI's session: the operator types the token once on the API's own page.
  app.addContentTypeParser('application/x-www-form-urlencoded', { parseAs: 'string' }, (_req, body, done) => {
    done(null, Object.fromEntries(new URLSearchParams(typeof body === 'string' ? body : body.toString('utf8'))));
  });
  app.get('/codec/login', async (_req, reply) => reply.type('text/html; charset=utf-8').send(loginPage(auth.token === undefined ? 'The codec endpoints are open (no token configured, loopback only).' : '')));
  app.post('/codec/login', async (req, reply) => {
    if (auth.token === undefined) return reply.code(404).send({ error: 'no codec token configured: the endpoints are open on this loopback bind' });
    const typed = (req.body as { token?: unknown } | undefined)?.token;
    if (!tokenMatches(auth, typed)) {
      req.log.warn('codec login refused: wrong token');
      return reply.code(403).type('text/html; charset=utf-8').send(loginPage('Wrong token.'));
    }
    void reply.header('Set-Cookie', sessionCookie(auth.token, now()));
    return reply.type('text/html; charset=utf-8').send(loginPage(`Logged in for ${CODEC_SESSION_MS / 3_600_000} h: the Web UI on this host name can decode payloads now.`, false));
  });
  app.post('/codec/logout', async (_req, reply) => reply.header('Set-Cookie', clearedSessionCookie).send({ loggedOut: true }));

  for (const prefix of ['/codec', '/codec/:namespace']) {
    for (const op of ['encode', 'decode'] as const) {
      app.post(`${prefix}/${op}`, { bodyLimit: BODY_LIMIT }, async (req, reply) => run(req, reply, op));
      app.options(`${prefix}/${op}`, preflight);
    }
  }
};

const escapeHtml = (t: string): string => t.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);

function loginPage(message: string, form = true): string {
  return [
    '<!doctype html><html><head><meta charset="utf-8"><title>Ballast codec login</title></head><body style="font-family:sans-serif;max-width:40em;margin:3em auto">',
    '<h1>Ballast payload codec</h1>',
    message ? `<p>${escapeHtml(message)}</p>` : '',
    form
      ? '<form method="post" action="/codec/login"><label>Codec token (BALLAST_CODEC_TOKEN) <input type="password" name="token" autocomplete="current-password" size="48" autofocus></label> <button type="submit">Log in</button></form>'
      : '',
    '</body></html>',
  ].join('\n');
}
