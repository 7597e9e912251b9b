// Starts `temporal server start-dev` (SQLite, Web UI), waits until it serves, and stops it cleanly.
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdirSync, openSync, readFileSync, closeSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { Connection } from '@temporalio/client';
import type { Logger } from 'pino';
import { SEARCH_ATTRIBUTES } from '../domain/search-attributes';
import { isPortFree } from './ports';

export { freePort, isPortFree } from './ports';

export interface DevServerOptions {
  binary: string;
  ip?: string;
  port: number;
  /** Web UI port; omit with `headless`. */
  uiPort?: number;
  headless?: boolean;
  /** SQLite file; omit for an in-memory server. */
  dbFile?: string;
  namespace?: string;
  uiCodecEndpoint?: string;
  logFile: string;
  /** A 2-core machine can take 20 s+ to bring the server and UI up; the CLI's own 5 s is too tight. */
  startTimeoutMs?: number;
  log: Logger;
}

export interface DevServer {
  address: string;
  uiUrl?: string;
  pid: number;
  stop(): Promise<void>;
}

export function devServerArgs(o: DevServerOptions): string[] {
  const args = ['server', 'start-dev', '--ip', o.ip ?? '127.0.0.1', '--port', String(o.port), '--log-level', 'warn'];
  if (o.headless) args.push('--headless');
  else {
    if (o.uiPort) args.push('--ui-port', String(o.uiPort));
    args.push('--ui-disable-news-fetch');
    if (o.uiCodecEndpoint) args.push('--ui-codec-endpoint', o.uiCodecEndpoint);
  }
  if (o.dbFile) args.push('--db-filename', o.dbFile);
  if (o.namespace && o.namespace !== 'default') args.push('--namespace', o.namespace);
  for (const [name, type] of Object.entries(SEARCH_ATTRIBUTES)) args.push('--search-attribute', `${name}=${type}`);
  return args;
}

function tail(file: string, chars = 2000): string {
  try {
    return readFileSync(file, 'utf8').slice(-chars);
  } catch {
    return '';
  }
}

async function waitForExit(child: ChildProcess, ms: number): Promise<boolean> {
  if (child.exitCode !== null || child.signalCode !== null) return true;
  return new Promise((res) => {
    const t = setTimeout(() => res(false), ms);
    child.once('exit', () => {
      clearTimeout(t);
      res(true);
    });
  });
}

export async function startDevServer(o: DevServerOptions): Promise<DevServer> {
  const ip = o.ip ?? '127.0.0.1';
  const ports = [o.port, ...(o.headless || !o.uiPort ? [] : [o.uiPort])];
  for (const p of ports) {
    if (!(await isPortFree(p, ip))) {
      throw new Error(`port ${p} on ${ip} is already in use: another Temporal server (or Ballast) is running? Stop it or choose other ports`);
    }
  }
  if (o.dbFile) mkdirSync(dirname(o.dbFile), { recursive: true });
  mkdirSync(dirname(o.logFile), { recursive: true });
  const out = openSync(o.logFile, 'a');
  const args = devServerArgs(o);
  const child = spawn(process.execPath, [join(__dirname, 'watchdog.cjs'), o.binary, ...args], { stdio: ['pipe', out, out] });
  closeSync(out);
  const address = `${ip}:${o.port}`;
  o.log.info({ pid: child.pid, address, dbFile: o.dbFile ?? '(memory)', logFile: o.logFile }, 'starting Temporal dev server');

  let exited = false;
  child.once('exit', () => (exited = true));

  const stop = async () => {
    if (exited) return;
    child.kill('SIGTERM');
    if (!(await waitForExit(child, 20_000))) {
      o.log.warn({ pid: child.pid }, 'dev server did not stop in 20 s; killing');
      child.kill('SIGKILL');
      await waitForExit(child, 5_000);
    }
    child.stdin?.destroy();
  };

  const deadline = Date.now() + (o.startTimeoutMs ?? 90_000);
  const namespace = o.namespace ?? 'default';
  let lastError = '';
  while (Date.now() < deadline) {
    if (exited) throw new Error(`Temporal dev server exited during start-up; its log (${o.logFile}) ends:\n${tail(o.logFile)}`);
    try {
      const conn = await Connection.connect({ address, connectTimeout: 2_000 });
      try {
        await conn.workflowService.describeNamespace({ namespace });
        if (!o.headless && o.uiPort) await waitForHttp(`http://${ip}:${o.uiPort}/`, deadline);
        o.log.info({ address, ms: Date.now() - (deadline - (o.startTimeoutMs ?? 90_000)) }, 'Temporal dev server is up');
        return {
          address,
          ...(o.headless || !o.uiPort ? {} : { uiUrl: `http://${ip}:${o.uiPort}` }),
          pid: child.pid ?? -1,
          stop,
        };
      } finally {
        await conn.close();
      }
    } catch (e) {
      lastError = (e as Error).message;
      await new Promise((r) => setTimeout(r, 500));
    }
  }
  await stop();
  throw new Error(`Temporal dev server did not become healthy in ${(o.startTimeoutMs ?? 90_000) / 1000} s (${lastError}); log:\n${tail(o.logFile)}`);
}

async function waitForHttp(url: string, deadline: number): Promise<void> {
  while (Date.now() < deadline) {
    try {
      const r = await fetch(url, { signal: AbortSignal.timeout(2_000) });
      if (r.status < 500) return;
    } catch {
      // not up yet
    }
    await new Promise((r) => setTimeout(r, 300));
  }
  throw new Error(`${url} did not answer`);
}
