import { chooseLogFormat, createLogger, REDACTED } from '../../config/logger';

function capture() {
  const out: string[] = [];
  const logger = createLogger({ destination: { write: (s: string) => void out.push(s) } });
  return { logger, text: () => out.join(''), records: () => out.map((l) => JSON.parse(l) as Record<string, unknown>) };
}

const PRIVATE_KEY = '0x' + 'a'.repeat(64);
const TEXT_KEY = '0x' + 'c0ffee'.repeat(10) + 'beef'; // 64 hex digits
const TX_HASH = '0x' + '5e'.repeat(32); // 32 bytes, looks exactly like a private key
const API_KEY = 'ak-3f9d2c71b8e64a05';
const PASSWORD = 'hunter2-correct-horse';
const SECRET_1 = 'first-array-secret-9f1e';
const SECRET_2 = 'second-array-secret-7a2b';

describe('createLogger redaction', () => {
  it('redacts secrets by key name at any depth and keeps everything else', () => {
    const { logger, text, records } = capture();
    logger.info(
      {
        apiKey: API_KEY,
        nested: { privateKey: PRIVATE_KEY, deeper: { password: PASSWORD, keep: 'still-here' } },
        accounts: [
          { name: 'one', secret: SECRET_1 },
          { name: 'two', secret: SECRET_2 },
        ],
        venue: 'alpha',
        amount: '12.5',
        txHash: TX_HASH,
      },
      'transfer submitted',
    );
    const out = text();
    for (const s of [API_KEY, PRIVATE_KEY, 'a'.repeat(64), PASSWORD, SECRET_1, SECRET_2]) expect(out).not.toContain(s);
    expect(out).toContain(REDACTED);
    expect(REDACTED).toBe('[REDACTED]');

    const [rec] = records();
    expect(rec).toMatchObject({
      msg: 'transfer submitted',
      apiKey: '[REDACTED]',
      nested: { privateKey: '[REDACTED]', deeper: { password: '[REDACTED]', keep: 'still-here' } },
      accounts: [
        { name: 'one', secret: '[REDACTED]' },
        { name: 'two', secret: '[REDACTED]' },
      ],
      venue: 'alpha',
      amount: '12.5',
      txHash: TX_HASH,
    });
  });

  it.each(['api_key', 'API-KEY', 'passwd', 'private_key', 'privkey', 'mnemonic', 'seedPhrase', 'passphrase', 'accessToken', 'Authorization', 'signature', 'encryptionKey', 'clientSecret'])(
    'redacts the key %s',
    (key) => {
      const { logger, text, records } = capture();
      logger.info({ [key]: 'value-that-must-not-leak-123', venue: 'alpha' });
      expect(text()).not.toContain('value-that-must-not-leak-123');
      expect(records()[0]).toMatchObject({ [key]: REDACTED, venue: 'alpha' });
    },
  );

  it('redacts a labelled private key inside the message string', () => {
    const { logger, text, records } = capture();
    logger.info(`connecting with privateKey=${TEXT_KEY}`);
    expect(text()).not.toContain(TEXT_KEY);
    expect(text()).not.toContain(TEXT_KEY.slice(2));
    expect(records()[0]!.msg).toBe('connecting with privateKey=[REDACTED]');
  });

  it('redacts labelled secrets in the message after a merge object and in format arguments', () => {
    const { logger, text, records } = capture();
    logger.info({ venue: 'alpha' }, `api key: ${API_KEY}0000`);
    logger.info('signing with %s', `private_key ${TEXT_KEY}`);
    const out = text();
    expect(out).not.toContain(API_KEY);
    expect(out).not.toContain(TEXT_KEY);
    const [a, b] = records();
    expect(a).toMatchObject({ venue: 'alpha', msg: 'api key: [REDACTED]' });
    expect(b!.msg).toBe('signing with private_key [REDACTED]');
  });

  it('redacts labelled secrets inside string values of non-secret keys', () => {
    const { logger, text, records } = capture();
    logger.info({ note: `rotated secret=${API_KEY}`, list: [`privateKey: ${TEXT_KEY}`] });
    expect(text()).not.toContain(API_KEY);
    expect(text()).not.toContain(TEXT_KEY);
    expect(records()[0]).toMatchObject({ note: 'rotated secret=[REDACTED]', list: ['privateKey: [REDACTED]'] });
  });

  it('leaves unlabelled 32-byte hex (tx hashes) in text alone', () => {
    const { logger, records } = capture();
    logger.info({ txHash: TX_HASH }, `confirmed ${TX_HASH}`);
    const [rec] = records();
    expect(rec!.msg).toBe(`confirmed ${TX_HASH}`);
    expect(rec!.txHash).toBe(TX_HASH);
  });
});

describe('createLogger redaction of less obvious carriers', () => {
  it('redacts fields bound on a child logger', () => {
    const { logger, text } = capture();
    logger.child({ apiKey: API_KEY, venue: 'bravo' }).info('child logger line');
    expect(text()).not.toContain(API_KEY);
    expect(text()).toContain('bravo');
  });

  it('redacts secrets carried on an Error, keeping its message and type', () => {
    const { logger, text } = capture();
    const err = Object.assign(new Error('withdraw rejected'), { apiKey: API_KEY, venue: 'charlie' });
    logger.error({ err }, 'withdraw failed');
    expect(text()).not.toContain(API_KEY);
    expect(text()).toContain('withdraw rejected');
    expect(text()).toContain('charlie');
  });

  it('drops objects nested deeper than it inspects instead of passing them through', () => {
    const { logger, text } = capture();
    let deep: Record<string, unknown> = { password: PASSWORD, token: API_KEY };
    for (let i = 0; i < 12; i++) deep = { level: deep };
    logger.info({ deep }, 'deep object');
    expect(text()).not.toContain(PASSWORD);
    expect(text()).not.toContain(API_KEY);
    expect(text()).toContain('[TRUNCATED]');
  });
});

describe('log format: readable on a terminal, JSON otherwise', () => {
  it.each([
    [{}, true, 'pretty'],
    [{}, false, 'json'],
    [{ LOG_FORMAT: 'json' }, true, 'json'],
    [{ LOG_FORMAT: 'pretty' }, false, 'pretty'],
    [{ LOG_FORMAT: ' PRETTY ' }, false, 'pretty'],
    [{ LOG_FORMAT: '' }, false, 'json'],
  ] as const)('LOG_FORMAT %j on a TTY=%s → %s', (env, tty, want) => {
    expect(chooseLogFormat(env, tty)).toBe(want);
  });

  it('refuses an unknown LOG_FORMAT, naming the variable', () => {
    expect(() => chooseLogFormat({ LOG_FORMAT: 'yaml' }, true)).toThrow(/LOG_FORMAT: expected "json" or "pretty", got "yaml"/);
  });

  function capturePretty() {
    const out: string[] = [];
    const logger = createLogger({ name: 'ballast-api', format: 'pretty', destination: { write: (s: string) => void out.push(s) } });
    return { logger, text: () => out.join('') };
  }

  it('pretty prints a readable line (level, name, message, fields), not JSON', () => {
    const { logger, text } = capturePretty();
    logger.info({ venue: 'alpha', amount: '12.5' }, 'transfer submitted');
    const line = text();
    expect(() => JSON.parse(line) as unknown).toThrow();
    expect(line).toMatch(/^\[\d{2}:\d{2}:\d{2}\.\d{3}\] INFO \(ballast-api\): transfer submitted/);
    // The structured fields follow the message on the same line.
    expect(line).toContain('{"venue":"alpha","amount":"12.5"}');
    expect(line).not.toContain('hostname');
  });

  it('redacts secrets in pretty output as in JSON: keys, child bindings, errors and text', () => {
    const { logger, text } = capturePretty();
    logger.info({ apiKey: API_KEY, nested: { privateKey: PRIVATE_KEY, password: PASSWORD } }, `signing with private_key ${TEXT_KEY}`);
    logger.child({ secret: SECRET_1 }).warn('child');
    logger.error({ err: Object.assign(new Error('withdraw rejected'), { apiKey: SECRET_2 }) }, 'failed');
    const out = text();
    for (const s of [API_KEY, PRIVATE_KEY, PASSWORD, TEXT_KEY, SECRET_1, SECRET_2]) expect(out).not.toContain(s);
    expect(out).toContain(REDACTED);
    expect(out).toContain('withdraw rejected');
  });
});
