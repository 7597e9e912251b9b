// npm run ledger:import -- <path/to/ledger.jsonl> [--config file]
// Imports a JSON-lines ledger (the file ledger of earlier versions) into this deployment's ledger
// database: the URL in ledger.urlEnv (BALLAST_LEDGER_URL) or ledger.url, else the embedded PostgreSQL
// (started for the import and stopped after, unless it is already running). Idempotent: importing
// the same file again books nothing twice. A torn last line is reported and skipped; any other bad
// line is reported with its line number and field, and nothing is written. Exit 0 imported, 1 bad
// file or database error, 2 usage.
import { existsSync, readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { ConfigError, DEFAULT_CONFIG_PATH, applyEnvOverrides, loadConfig } from '../config/load';
import { LedgerImportError, importLedgerJsonl } from '../activities/ledger/import';
import { locateLedger } from '../activities/ledger/open';
import { PgLedgerStore } from '../activities/ledger/pg-ledger';
import { PROJECT_ROOT } from '../temporal/binary';

async function main(): Promise<number> {
  const args = process.argv.slice(2);
  const ci = args.indexOf('--config');
  const configPath = ci >= 0 ? args[ci + 1] : process.env.BALLAST_CONFIG;
  if (ci >= 0 && !configPath) throw new ConfigError('--config needs a file path');
  const files = ci >= 0 ? args.filter((_, i) => i !== ci && i !== ci + 1) : args;
  if (files.length !== 1) throw new ConfigError('usage: npm run ledger:import -- <path/to/ledger.jsonl> [--config file]');
  const file = resolve(files[0]!);
  if (!existsSync(file)) throw new ConfigError(`file: ${file} does not exist`);
  const config = applyEnvOverrides(loadConfig(resolve(configPath ?? DEFAULT_CONFIG_PATH)), process.env);
  const text = readFileSync(file, 'utf8');
  const location = await locateLedger(config, process.env, { projectRoot: PROJECT_ROOT });
  const ledger = new PgLedgerStore({ url: location.url, ...(location.maxConnections ? { max: location.maxConnections } : {}) });
  try {
    await ledger.ready();
    const r = await importLedgerJsonl(ledger, text);
    const lines = [
      `ledger import ${file} → ${location.describe}`,
      `  entries read ${r.read}: booked now ${r.created}, already there ${r.existing}, kept the database's entry for ${r.conflicting.length}`,
      ...r.conflicting.map((c) => `  line ${c.line}: id ${c.id} is already in the database with different content (kept)`),
      ...(r.tornLine ? [`  line ${r.tornLine}: torn last line (not JSON: a write cut short), skipped`] : []),
    ];
    process.stdout.write(`${lines.join('\n')}\n`);
    return 0;
  } catch (e) {
    if (e instanceof LedgerImportError) {
      process.stderr.write(`${e.message}\n`);
      return 1;
    }
    throw e;
  } finally {
    await ledger.close();
    await location.stop();
  }
}

main().then(
  (code) => process.exit(code),
  (e: unknown) => {
    if (e instanceof ConfigError) {
      process.stderr.write(`ledger:import: ${e.message}\n`);
      process.exit(2);
    }
    process.stderr.write(`ledger:import failed: ${e instanceof Error ? e.message : String(e)}\n`);
    process.exit(1);
  },
);
