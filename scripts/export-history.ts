// npm run history:export -- <workflowId> [outFile] [--run <runId>]
// Writes a workflow's history as JSON (to stdout without outFile), e.g. to commit under test/histories/.
import { Client, Connection } from '@temporalio/client';
import { writeFileSync } from 'node:fs';
import { ballastDataConverter } from '../temporal/data-converter';
import { exportHistory } from '../temporal/history';

async function main(): Promise<void> {
  const args = process.argv.slice(2);
  const runIdx = args.indexOf('--run');
  const runId = runIdx >= 0 ? args.splice(runIdx, 2)[1] : undefined;
  const [workflowId, outFile] = args;
  if (!workflowId) throw new Error('usage: export-history <workflowId> [outFile] [--run <runId>]');
  const connection = await Connection.connect({ address: process.env.TEMPORAL_ADDRESS ?? '127.0.0.1:7233' });
  try {
    const json = await exportHistory(new Client({ connection, namespace: process.env.TEMPORAL_NAMESPACE ?? 'default', dataConverter: ballastDataConverter(process.env) }), workflowId, runId);
    if (outFile) writeFileSync(outFile, `${JSON.stringify(JSON.parse(json), null, 2)}\n`);
    else process.stdout.write(`${json}\n`);
  } finally {
    await connection.close();
  }
}

main().catch((e: unknown) => {
  process.stderr.write(`export-history: ${(e as Error).message}\n`);
  process.exit(1);
});
