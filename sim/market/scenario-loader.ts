// Reads a scenario file (YAML or JSON) and validates it; errors name the file and every bad field.
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { parse as parseYaml } from 'yaml';
import { toFieldIssues } from '../../domain/errors';
import { ScenarioSchema, type Scenario } from './scenario.schema';

export class ScenarioError extends Error {
  constructor(
    message: string,
    readonly issues: { path: string; message: string }[] = [],
  ) {
    super(message);
    this.name = 'ScenarioError';
  }
}

/** The folder of the shipped scenarios (sim/scenarios). */
export const SCENARIO_DIR = resolve(__dirname, '..', 'scenarios');

export function parseScenario(raw: unknown, source = 'scenario'): Scenario {
  const r = ScenarioSchema.safeParse(raw);
  if (r.success) return r.data;
  const issues = toFieldIssues(r.error);
  throw new ScenarioError(`invalid scenario in ${source}:\n${issues.map((i) => `  - ${i.path}: ${i.message}`).join('\n')}`, issues);
}

/** Loads `path`, or a shipped scenario by name ("demo" → sim/scenarios/demo.yaml). */
export function loadScenario(pathOrName: string): Scenario {
  const path = /[/\\.]/.test(pathOrName) ? pathOrName : resolve(SCENARIO_DIR, `${pathOrName}.yaml`);
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (e) {
    throw new ScenarioError(`cannot read scenario file ${path}: ${(e as Error).message}`);
  }
  let raw: unknown;
  try {
    raw = path.endsWith('.json') ? JSON.parse(text) : parseYaml(text);
  } catch (e) {
    throw new ScenarioError(`scenario file ${path} is not valid ${path.endsWith('.json') ? 'JSON' : 'YAML'}: ${(e as Error).message}`);
  }
  return parseScenario(raw, path);
}
