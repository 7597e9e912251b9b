// The `ledger` config section (errors name the field; a password never sits in the config) and the
// JSON-lines import's parser (torn last line vs. bad lines, each named by line number and field).
import { parseLedgerJsonl } from '../../activities/ledger/import';
import { configuredLedgerUrl, redactUrl } from '../../activities/ledger/open';
import { loadConfig, parseConfig } from '../../config/load';

const demo = loadConfig();
const withLedger = (ledger: unknown) => () => parseConfig({ ...demo, ledger }, 'test');

describe('ledger config section', () => {
  it('defaults: the URL from BALLAST_LEDGER_URL, else the embedded server on 5433 under data/ledger-pg', () => {
    expect(parseConfig({ ...demo, ledger: undefined }, 'test').ledger).toEqual({ urlEnv: 'BALLAST_LEDGER_URL', embedded: { engine: 'postgres', dataDir: 'data/ledger-pg', port: 5433 } });
    expect(configuredLedgerUrl(demo, {})).toBeUndefined();
    expect(configuredLedgerUrl(demo, { BALLAST_LEDGER_URL: 'postgres://u:p@db:5432/l' })).toBe('postgres://u:p@db:5432/l');
    expect(configuredLedgerUrl(parseConfig({ ...demo, ledger: { url: 'postgres://db:5432/l' } }, 'test'), {})).toBe('postgres://db:5432/l');
  });

  it('refuses, naming the field: a password in ledger.url, another scheme, a secret as urlEnv, a bad port', () => {
    expect(withLedger({ url: 'postgres://u:secret@db:5432/l' })).toThrow(/ledger\.url: must not carry a password/);
    expect(withLedger({ url: 'mysql://db/l' })).toThrow(/ledger\.url: expected a postgres/);
    expect(withLedger({ urlEnv: 'postgres://x' })).toThrow(/ledger\.urlEnv/);
    expect(withLedger({ embedded: { port: 70000 } })).toThrow(/ledger\.embedded\.port/);
    expect(withLedger({ extra: 1 })).toThrow(/ledger/);
    expect(withLedger({ embedded: { engine: 'sqlite' } })).toThrow(/ledger\.embedded\.engine/);
  });

  it('logs carry the URL without its password', () => {
    expect(redactUrl('postgres://ballast:s3cret@127.0.0.1:5433/ballast')).toBe('postgres://ballast:***@127.0.0.1:5433/ballast');
  });
});

describe('parseLedgerJsonl', () => {
  const ok = (id: string) => JSON.stringify({ id, at: 1, day: '2026-12-03', workflowId: 'w', kind: 'fee', asset: 'BLST', amount: '1', amountUsd: '0.5' });

  it('a torn last line is set aside (even before trailing blank lines); the rest parsed in order', () => {
    const r = parseLedgerJsonl(`${ok('w:a')}\n\n${ok('w:b')}\n{"id":"w:c","at`);
    expect(r.entries.map((e) => [e.line, e.entry.id])).toEqual([[1, 'w:a'], [3, 'w:b']]);
    expect(r.tornLine).toBe(4);
    expect(r.errors).toEqual([]);
    expect(parseLedgerJsonl(`${ok('w:a')}\n{"id"\n\n`).tornLine).toBe(2);
  });

  it('every other bad line is named with its line number and field', () => {
    const bad = JSON.stringify({ ...JSON.parse(ok('w:x')), amount: 'ten', kind: 'gift' });
    const r = parseLedgerJsonl([ok('w:a'), '{oops', bad, ok('w:b')].join('\n'));
    expect(r.errors).toEqual([expect.stringMatching(/^line 2: not JSON$/), expect.stringMatching(/^line 3: kind: /), expect.stringMatching(/^line 3: amount: /)]);
    expect(r.tornLine).toBeUndefined();
  });
});
