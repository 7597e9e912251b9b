// The auditor's tool: export workflow histories and replay them against the CURRENT workflow code.
//
//   npm run audit -- export <workflowId> [--run <runId>] [--out file.json]
//   npm run audit -- replay <file.json | directory | workflowId> [...more]
//   npm run audit -- replay --query "WorkflowType='fundTransfer' AND ExecutionStatus='Completed'" [--limit 100]
//
// Replay re-executes each recorded history with the workflow code of this checkout: if the code
// would make a different decision (another activity, another order of steps, another branch), the
// history does not replay and the tool says so, naming the workflow and the first mismatch.
// Exit code: 0 when every history is deterministic, 1 when any is not, 2 on usage errors, 3 when
// some could not be checked (encrypted, no key).
// Encrypted payloads are decoded with the keys in BALLAST_PAYLOAD_KEYS (the same as the workers').
import { Client, Connection } from '@temporalio/client';
import { existsSync, readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { basename, dirname, join } from 'node:path';
import { ballastDataConverter } from '../temporal/data-converter';
import { WORKFLOW_IDS_MANIFEST, exportHistory, readWorkflowIds, replayHistories, type ReplayOutcome } from '../temporal/history';
import { WORKFLOWS_PATH } from '../workers/temporal.worker';

class UsageError extends Error {}

const USAGE = `usage:
  npm run audit -- export <workflowId> [--run <runId>] [--out file.json]
  npm run audit -- replay <file.json | directory | workflowId> [...]
  npm run audit -- replay --query "<visibility query>" [--limit N]`;

function option(args: string[], name: string): string | undefined {
  const i = args.indexOf(name);
  if (i < 0) return undefined;
  const v = args[i + 1];
  if (v === undefined || v.startsWith('--')) throw new UsageError(`${name} needs a value`);
  args.splice(i, 2);
  return v;
}

async function withClient<T>(fn: (c: Client) => Promise<T>): Promise<T> {
  const connection = await Connection.connect({ address: process.env.TEMPORAL_ADDRESS ?? '127.0.0.1:7233' });
  try {
    return await fn(new Client({ connection, namespace: process.env.TEMPORAL_NAMESPACE ?? 'default', dataConverter: ballastDataConverter(process.env) }));
  } finally {
    await connection.close();
  }
}

function filesOf(path: string): string[] {
  if (statSync(path).isDirectory()) return readdirSync(path).filter((f) => f.endsWith('.json') && f !== WORKFLOW_IDS_MANIFEST).sort().map((f) => join(path, f));
  return [path];
}

const readIfExists = (p: string): string | undefined => (existsSync(p) ? readFileSync(p, 'utf8') : undefined);

export async function audit(argv: string[], out: (s: string) => void): Promise<number> {
  const args = [...argv];
  const cmd = args.shift();
  if (cmd === 'export') {
    const runId = option(args, '--run');
    const outFile = option(args, '--out');
    const [workflowId] = args;
    if (!workflowId) throw new UsageError('export needs a workflow id');
    const json = await withClient((c) => exportHistory(c, workflowId, runId));
    if (outFile) {
      writeFileSync(outFile, `${JSON.stringify(JSON.parse(json), null, 2)}\n`);
      // Replay needs the original workflow id: keep it in the directory's manifest.
      const ids = readWorkflowIds(dirname(outFile), readIfExists);
      writeFileSync(join(dirname(outFile), WORKFLOW_IDS_MANIFEST), `${JSON.stringify({ ...ids, [basename(outFile)]: workflowId }, null, 2)}\n`);
      out(`exported ${workflowId} to ${outFile}`);
    } else out(json);
    return 0;
  }
  if (cmd !== 'replay') throw new UsageError(cmd ? `unknown command "${cmd}"` : 'no command');
  const query = option(args, '--query');
  const limit = Number(option(args, '--limit') ?? '100');
  const histories: { workflowId: string; json: unknown }[] = [];
  const fromServer: string[] = [];
  for (const a of args) {
    if (existsSync(a)) {
      for (const f of filesOf(a)) {
        const ids = readWorkflowIds(dirname(f), readIfExists);
        histories.push({ workflowId: ids[basename(f)] ?? basename(f), json: JSON.parse(readFileSync(f, 'utf8')) });
      }
    }
    else fromServer.push(a);
  }
  if (query !== undefined || fromServer.length > 0) {
    await withClient(async (c) => {
      if (query !== undefined) {
        for await (const wf of c.workflow.list({ query, pageSize: Math.min(limit, 100) })) {
          if (fromServer.length >= limit + args.length) break;
          fromServer.push(`${wf.workflowId}\u0000${wf.runId}`);
        }
      }
      for (const id of fromServer) {
        const [workflowId, runId] = id.split('\u0000') as [string, string | undefined];
        histories.push({ workflowId, json: JSON.parse(await exportHistory(c, workflowId, runId)) });
      }
    });
  }
  if (histories.length === 0) throw new UsageError('nothing to replay: give files, directories, workflow ids or --query');
  const outcomes: ReplayOutcome[] = await replayHistories({ workflowsPath: WORKFLOWS_PATH, dataConverter: ballastDataConverter(process.env) }, histories);
  let bad = 0;
  let locked = 0;
  for (const o of outcomes) {
    if (o.deterministic) out(`DETERMINISTIC      ${o.workflowId}`);
    else if (/binary\/encrypted|CODEC\.|not in BALLAST_PAYLOAD_KEYS/.test(o.error ?? '')) {
      // Not a verdict on the code: the payloads are encrypted and this run has no (or the wrong) key.
      locked += 1;
      out(`CANNOT DECRYPT     ${o.workflowId}\n    the history's payloads are encrypted: set BALLAST_PAYLOAD_KEYS to the workers' keys`);
    } else {
      bad += 1;
      out(`NOT DETERMINISTIC  ${o.workflowId}\n    ${o.error ?? ''}`);
    }
  }
  const checked = outcomes.length - locked;
  out(
    bad === 0
      ? `\n${checked} of ${checked} histories replay deterministically against the current code.`
      : `\n${bad} of ${checked} histories do NOT replay against the current code: the code would decide differently than it did.`,
  );
  if (locked > 0) out(`${locked} histories could not be checked: encrypted, and no key for them (BALLAST_PAYLOAD_KEYS).`);
  if (bad === 0 && locked > 0) return 3;
  return bad === 0 ? 0 : 1;
}

if (require.main === module) {
  audit(process.argv.slice(2), (s) => process.stdout.write(`${s}\n`))
    .then((code) => process.exit(code))
    .catch((e: unknown) => {
      process.stderr.write(`audit: ${(e as Error).message}\n${e instanceof UsageError ? `${USAGE}\n` : ''}`);
      process.exit(e instanceof UsageError ? 2 : 1);
    });
}
