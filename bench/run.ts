// npm run bench [-- <name>]: runs bench/<name>.bench.ts, or all of them.
import { spawnSync } from 'node:child_process';
import { readdirSync } from 'node:fs';
import { join } from 'node:path';

const only = process.argv[2];
const files = readdirSync(__dirname).filter((f) => f.endsWith('.bench.ts') && (!only || f.startsWith(only)));
if (files.length === 0) throw new Error(`no benchmark matches ${only}`);
for (const f of files) {
  process.stdout.write(`\n== ${f}\n`);
  const r = spawnSync(process.execPath, ['--import', 'tsx', join(__dirname, f)], { stdio: 'inherit' });
  if (r.status !== 0) process.exit(r.status ?? 1);
}
