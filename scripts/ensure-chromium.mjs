// The browser tests drive the Temporal Web UI in Debian's chromium (never a downloaded browser).
// `npm test` runs this first: on a machine without /usr/bin/chromium it installs the Debian package
// (apt-get, as root or through sudo). Plain Node, standard library only.
import { existsSync } from 'node:fs';
import { spawnSync } from 'node:child_process';

const CHROMIUM = '/usr/bin/chromium';
if (!existsSync(CHROMIUM)) {
  const root = typeof process.getuid === 'function' && process.getuid() === 0;
  const sudo = !root && spawnSync('sudo', ['-n', 'true']).status === 0;
  if (!root && !sudo) {
    process.stderr.write(`[ballast] ${CHROMIUM} is missing and apt-get needs root: install Debian's chromium (apt-get install chromium)\n`);
    process.exit(1);
  }
  const run = (args) => {
    const [cmd, ...rest] = sudo ? ['sudo', '-n', ...args] : args;
    const r = spawnSync(cmd, rest, { stdio: 'inherit', env: { ...process.env, DEBIAN_FRONTEND: 'noninteractive' } });
    return r.status === 0;
  };
  process.stderr.write('[ballast] installing Debian chromium for the browser tests (apt-get)...\n');
  if (!run(['apt-get', 'update', '-qq']) || !run(['apt-get', 'install', '-y', '-qq', 'chromium']) || !existsSync(CHROMIUM)) {
    process.stderr.write('[ballast] could not install chromium with apt-get\n');
    process.exit(1);
  }
}
