// The layer rules are only worth having if they fire: lint small sources as if they lived in each layer.
import { ESLint } from 'eslint';
import { join } from 'node:path';

const root = join(__dirname, '..', '..');
const eslint = new ESLint({ cwd: root });

async function ruleIds(file: string, code: string): Promise<string[]> {
  const [result] = await eslint.lintText(code, { filePath: join(root, file) });
  return (result?.messages ?? []).map((m) => m.ruleId ?? m.message);
}

describe('layer rules', () => {
  it.each([
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
    ['api/fixture.ts', 'async function f() { return 1; }\nexport function g() { f(); }\n', '@typescript-eslint/no-floating-promises'],
    ['api/fixture.ts', 'export function g() { console.log(1); }\n', 'no-console'],
  ])('%s: flags %j with %s', async (file, code, rule) => {
    expect(await ruleIds(file, code)).toContain(rule);
  });

  it('allows what the layers may do', async () => {
    expect(await ruleIds('workflows/fixture.ts', "import type { ComplianceActivities } from '../activities/compliance.activities';\nimport { D } from '../domain/money';\nexport type A = ComplianceActivities;\nexport const x = D;\n")).toEqual([]);
    expect(await ruleIds('activities/fixture.ts', "import { readFileSync } from 'node:fs';\nexport const x = readFileSync;\nexport const t = Date.now();\n")).toEqual([]);
  });
});
