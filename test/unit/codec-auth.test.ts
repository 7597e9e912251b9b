// The codec endpoints' credential (api/codec-auth.ts): where the token comes from, the bind rule,
// and the bearer / session-cookie check. Pure: the HTTP side is in test/integration/payload-codec.test.ts.
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  assertCodecAuthForBind,
  checkCodecRequest,
  CODEC_COOKIE,
  CODEC_SESSION_MS,
  codecAuthFromEnv,
  sessionCookie,
  sessionValue,
  tokenMatches,
} from '../../api/codec-auth';
import { ConfigError } from '../../config/load';

const TOKEN = 'f'.repeat(16) + '0123456789abcdef0123';

describe('codecAuthFromEnv', () => {
  it('no token: open', () => {
    expect(codecAuthFromEnv({})).toEqual({});
    expect(codecAuthFromEnv({ BALLAST_CODEC_TOKEN: '  ' })).toEqual({});
  });

  it('from the variable or a secret file (trimmed)', () => {
    expect(codecAuthFromEnv({ BALLAST_CODEC_TOKEN: ` ${TOKEN}\n` })).toEqual({ token: TOKEN });
    const file = join(mkdtempSync(join(tmpdir(), 'codec-token-')), 'token');
    writeFileSync(file, `${TOKEN}\n`);
    expect(codecAuthFromEnv({ BALLAST_CODEC_TOKEN_FILE: file })).toEqual({ token: TOKEN });
  });

  it('refuses a short token, both sources, an unreadable file — naming the variable, never the value', () => {
    const short = (() => {
      try {
        codecAuthFromEnv({ BALLAST_CODEC_TOKEN: 'hunter2' });
      } catch (e) {
        return e as Error;
      }
      throw new Error('expected an error');
    })();
    expect(short).toBeInstanceOf(ConfigError);
    expect(short.message).toBe('BALLAST_CODEC_TOKEN: the codec token must be at least 32 characters (e.g. `openssl rand -hex 32`)');
    expect(() => codecAuthFromEnv({ BALLAST_CODEC_TOKEN: TOKEN, BALLAST_CODEC_TOKEN_FILE: '/x' })).toThrow('set one of BALLAST_CODEC_TOKEN and BALLAST_CODEC_TOKEN_FILE, not both');
    expect(() => codecAuthFromEnv({ BALLAST_CODEC_TOKEN_FILE: '/nonexistent/token' })).toThrow('BALLAST_CODEC_TOKEN_FILE (/nonexistent/token): cannot read the codec token file: ENOENT');
    expect(() => codecAuthFromEnv({ BALLAST_CODEC_TOKEN: `${TOKEN} with spaces` })).toThrow(/printable ASCII without spaces/);
  });
});

describe('assertCodecAuthForBind', () => {
  it('loopback binds may stay open; any other bind needs the token', () => {
    for (const host of ['127.0.0.1', 'localhost', '::1', '[::1]', '127.1.2.3']) expect(() => assertCodecAuthForBind(host, {})).not.toThrow();
    for (const host of ['0.0.0.0', '::', '10.0.0.5', 'ballast-api']) expect(() => assertCodecAuthForBind(host, {})).toThrow(ConfigError);
    expect(() => assertCodecAuthForBind('0.0.0.0', { token: TOKEN })).not.toThrow();
  });
});

describe('checkCodecRequest', () => {
  const auth = { token: TOKEN };
  const now = 1_800_000_000_000;

  it('open without a token', () => {
    expect(checkCodecRequest({}, {}, now)).toEqual({ ok: true, via: 'open' });
  });

  it('bearer: right, wrong, missing', () => {
    expect(checkCodecRequest(auth, { authorization: `Bearer ${TOKEN}` }, now)).toEqual({ ok: true, via: 'bearer' });
    expect(checkCodecRequest(auth, { authorization: `bearer ${TOKEN}` }, now)).toEqual({ ok: true, via: 'bearer' });
    expect(checkCodecRequest(auth, { authorization: `Bearer ${TOKEN.slice(1)}` }, now)).toMatchObject({ ok: false, status: 403 });
    expect(checkCodecRequest(auth, { authorization: `Basic ${TOKEN}` }, now)).toMatchObject({ ok: false, status: 401 });
    expect(checkCodecRequest(auth, {}, now)).toMatchObject({ ok: false, status: 401 });
  });

  it('a wrong bearer is refused even with a valid cookie beside it', () => {
    const cookie = `${CODEC_COOKIE}=${sessionValue(TOKEN, now + 1000)}`;
    expect(checkCodecRequest(auth, { authorization: 'Bearer nope', cookie }, now)).toMatchObject({ ok: false, status: 403 });
  });

  it('session cookie: valid until it expires, among other cookies; forged or expired refused', () => {
    const set = sessionCookie(TOKEN, now);
    const value = set.split(';')[0]!;
    expect(value).toBe(`${CODEC_COOKIE}=${sessionValue(TOKEN, now + CODEC_SESSION_MS)}`);
    expect(checkCodecRequest(auth, { cookie: `a=1; ${value}; b=2` }, now)).toEqual({ ok: true, via: 'cookie' });
    expect(checkCodecRequest(auth, { cookie: value }, now + CODEC_SESSION_MS - 1)).toEqual({ ok: true, via: 'cookie' });
    expect(checkCodecRequest(auth, { cookie: value }, now + CODEC_SESSION_MS)).toMatchObject({ ok: false, status: 401 });
    expect(checkCodecRequest(auth, { cookie: `${CODEC_COOKIE}=${sessionValue('x'.repeat(40), now + 1000)}` }, now)).toMatchObject({ ok: false, status: 403 });
    expect(checkCodecRequest(auth, { cookie: `${CODEC_COOKIE}=${TOKEN}` }, now)).toMatchObject({ ok: false, status: 403 });
  });

  it('tokenMatches: the login form', () => {
    expect(tokenMatches(auth, ` ${TOKEN} `)).toBe(true);
    expect(tokenMatches(auth, TOKEN.toUpperCase())).toBe(false);
    expect(tokenMatches(auth, undefined)).toBe(false);
    expect(tokenMatches({}, TOKEN)).toBe(false);
  });
});
