// Runs npm scripts side by side and fails if any fails: `npm test` checks lint and types at the same
// time (each mostly uses one core). Every script's output is buffered and printed whole when it ends,
// so the two never interleave line by line. Plain Node, standard library only.
//   node scripts/run-parallel.mjs lint typecheck
import { spawn } from 'node:child_process';

const scripts = process.argv.slice(2);
if (scripts.length === 0) {
  process.stderr.write('usage: node scripts/run-parallel.mjs <npm script> [<npm script>…]\n');
  process.exit(2);
}

const npm = process.platform === 'win32' ? 'npm.cmd' : 'npm';
const results = await Promise.all(
  scripts.map(
    (name) =>
      new Promise((resolve) => {
        const t0 = Date.now();
        const chunks = [];
        const child = spawn(npm, ['run', '--silent', name], { stdio: ['ignore', 'pipe', 'pipe'] });
        child.stdout.on('data', (d) => chunks.push(d));
        child.stderr.on('data', (d) => chunks.push(d));
        child.on('error', (e) => chunks.push(Buffer.from(`${String(e)}\n`)));
        child.on('close', (code, signal) => {
          const out = Buffer.concat(chunks).toString();
          const ok = code === 0;
          process.stdout.write(`[ballast] npm run ${name}: ${ok ? 'ok' : `FAILED (${signal ?? `exit ${code}`})`} in ${((Date.now() - t0) / 1000).toFixed(0)} s\n${out}${out && !out.endsWith('\n') ? '\n' : ''}`);
          resolve(ok);
        });
      }),
  ),
);
process.exit(results.every(Boolean) ? 0 : 1);
