// The layer rules are only worth having if they fire: lint small sources as if they lived in each layer.
// ESLint loads its flat config with a dynamic import that jest's VM cannot run, so every case is
// linted in one plain Node child process.
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';

const root = join(__dirname, '..', '..');

const LINT_SCRIPT = `
const { ESLint } = require('eslint');
const path = require('node:path');
(async () => {
  const cases = JSON.parse(require('node:fs').readFileSync(0, 'utf8'));
  // The fixtures exist only in memory; the default project type-checks them.
  const eslint = new ESLint({
    cwd: process.cwd(),
    overrideConfig: { languageOptions: { parserOptions: { projectService: { allowDefaultProject: ['*/fixture.ts', '*/*/fixture.ts'] } } } },
  });
  const out = [];
  for (const c of cases) {
    const [r] = await eslint.lintText(c.code, { filePath: path.join(process.cwd(), c.file) });
    out.push(r.messages.map((m) => m.ruleId || m.message));
  }
  process.stdout.write(JSON.stringify(out));
})().catch((e) => { process.stderr.write(String(e.stack)); process.exit(1); });
`;

type Case = [file: string, code: string];
const results = new Map<string, string[]>();
const key = (file: string, code: string) => `${file}\n${code}`;

function lintAll(cases: Case[]): void {
  const r = spawnSync(process.execPath, ['-e', LINT_SCRIPT], {
    cwd: root,
    input: JSON.stringify(cases.map(([file, code]) => ({ file, code }))),
    encoding: 'utf8',
    timeout: 120_000,
  });
  if (r.status !== 0) throw new Error(`eslint child failed: ${r.stderr}`);
  (JSON.parse(r.stdout) as string[][]).forEach((ids, i) => results.set(key(...cases[i]!), ids));
}

async function ruleIds(file: string, code: string): Promise<string[]> {
  const ids = results.get(key(file, code));
  if (!ids) throw new Error(`case not linted: ${file}`);
  return ids;
}

const FLAGGED: [string, string, string][] = [
  ['workflows/fixture.ts', "import { readFileSync } from 'fs';\nexport const x = readFileSync;\n", 'no-restricted-imports'],
  ['workflows/fixture.ts', "import { readFileSync } from 'node:fs';\nexport const x = readFileSync;\n", 'no-restricted-imports'],
  ['workflows/fixture.ts', "import { Client } from '@temporalio/client';\nexport const x = Client;\n", 'no-restricted-imports'],
  ['workflows/fixture.ts', "import ccxt from 'ccxt';\nexport const x = ccxt;\n", 'no-restricted-imports'],
  ['workflows/fixture.ts', "import { createActivities } from '../activities';\nexport const x = createActivities;\n", 'no-restricted-imports'],
  ['workflows/fixture.ts', 'export const t = Date.now();\n', 'no-restricted-properties'],
  ['workflows/fixture.ts', 'export const r = Math.random();\n', 'no-restricted-properties'],
  ['workflows/fixture.ts', 'export const e = process.env.X;\n', 'no-restricted-properties'],
  ['workflows/fixture.ts', 'export const d = new Date();\n', 'no-restricted-syntax'],
  ['domain/fixture.ts', "import { ethers } from 'ethers';\nexport const x = ethers;\n", 'no-restricted-imports'],
  ['domain/fixture.ts', "import { proxyActivities } from '@temporalio/workflow';\nexport const x = proxyActivities;\n", 'no-restricted-imports'],
  ['domain/fixture.ts', "import { loadConfig } from '../config/load';\nexport const x = loadConfig;\n", 'no-restricted-imports'],
  ['domain/fixture.ts', 'export const t = Date.now();\n', 'no-restricted-properties'],
  ['domain/quoting/fixture.ts', "import { loadConfig } from '../../config/load';\nexport const x = loadConfig;\n", 'no-restricted-imports'],
  ['domain/quoting/fixture.ts', "import { readFileSync } from 'node:fs';\nexport const x = readFileSync;\n", 'no-restricted-imports'],
  ['venues/fixture.ts', "import { VirtualClock } from '../hotpath/clocks';\nexport const x = VirtualClock;\n", 'no-restricted-imports'],
  ['hotpath/fixture.ts', "import { ScenarioRunner } from '../sim/market/scenario-runner';\nexport const x = ScenarioRunner;\n", 'no-restricted-imports'],
  ['hotpath/fixture.ts', "import { Client } from '@temporalio/client';\nexport const x = Client;\n", 'no-restricted-imports'],
  ['hotpath/fixture.ts', 'export const t = Date.now();\n', 'no-restricted-properties'],
  ['api/fixture.ts', 'async function f() { return 1; }\nexport function g() { f(); }\n', '@typescript-eslint/no-floating-promises'],
  ['api/fixture.ts', 'export function g() { console.log(1); }\n', 'no-console'],
];
const ALLOWED: Case[] = [
  ['domain/quoting/fixture.ts', "import { D } from '../money';\nexport const x = D;\n"],
  ['workflows/fixture.ts', "import type { ComplianceActivities } from '../activities/compliance.activities';\nimport { D } from '../domain/money';\nexport type A = ComplianceActivities;\nexport const x = D;\n"],
  ['activities/fixture.ts', "import { readFileSync } from 'node:fs';\nexport const x = readFileSync;\nexport const t = Date.now();\n"],
];

beforeAll(() => lintAll([...FLAGGED.map(([f, c]): Case => [f, c]), ...ALLOWED]));

describe('layer rules', () => {
  it.each(FLAGGED)('%s: flags %j with %s', async (file, code, rule) => {
    expect(await ruleIds(file, code)).toContain(rule);
  });

  it.each(ALLOWED)('%s: allows %j', async (file, code) => {
    expect(await ruleIds(file, code)).toEqual([]);
  });
});
