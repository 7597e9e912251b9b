import { chmodSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createLogger } from '../../config/logger';
import { findTemporalBinary } from '../../temporal/binary';
import { devServerArgs } from '../../temporal/dev-server';

const log = createLogger({ level: 'silent' });
let dir: string;
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'ballast-bin-'));
});
afterEach(() => rmSync(dir, { recursive: true, force: true }));

function fakeBinary(path: string): string {
  mkdirSync(join(path, '..'), { recursive: true });
  writeFileSync(path, '#!/bin/sh\necho temporal\n');
  chmodSync(path, 0o755);
  return path;
}

describe('findTemporalBinary', () => {
  it('prefers $TEMPORAL_CLI, and rejects one that is not executable', () => {
    const bin = fakeBinary(join(dir, 'custom', 'temporal'));
    expect(findTemporalBinary({ root: dir, env: { TEMPORAL_CLI: bin, PATH: '' }, log })).toEqual({ path: bin, source: 'TEMPORAL_CLI' });
    expect(() => findTemporalBinary({ root: dir, env: { TEMPORAL_CLI: join(dir, 'missing'), PATH: '' }, log })).toThrow(/TEMPORAL_CLI=.*missing is not an executable/);
  });

  it('then PATH, then the project venv', () => {
    const onPath = fakeBinary(join(dir, 'bin', 'temporal'));
    expect(findTemporalBinary({ root: dir, env: { PATH: join(dir, 'bin') }, log })).toEqual({ path: onPath, source: 'PATH' });
    const inVenv = fakeBinary(join(dir, '.venv', 'temporal', 'bin', 'temporal'));
    expect(findTemporalBinary({ root: dir, env: { PATH: '' }, log })).toEqual({ path: inVenv, source: 'venv' });
  });

  it('says plainly when it may not install and finds nothing', () => {
    expect(() => findTemporalBinary({ root: dir, env: { PATH: '' }, log, install: false })).toThrow(/Temporal CLI was not found/);
  });
});

describe('devServerArgs', () => {
  it('persists to SQLite, serves the UI on the given port and registers every search attribute', () => {
    const args = devServerArgs({ binary: 'temporal', port: 7233, uiPort: 8233, dbFile: 'data/temporal.sqlite', logFile: 'x', log }).join(' ');
    expect(args).toContain('server start-dev --ip 127.0.0.1 --port 7233');
    expect(args).toContain('--ui-port 8233');
    expect(args).toContain('--db-filename data/temporal.sqlite');
    for (const sa of ['Asset=Keyword', 'Venue=Keyword', 'Operation=Keyword', 'AmountUsd=Double', 'Requester=Keyword']) {
      expect(args).toContain(`--search-attribute ${sa}`);
    }
    const headless = devServerArgs({ binary: 'temporal', port: 7300, headless: true, logFile: 'x', log }).join(' ');
    expect(headless).toContain('--headless');
    expect(headless).not.toContain('--db-filename');
  });
});
