// npm run approve -- <workflowId> --key-file <file> [--reject | --request] [--expires 1h] [--note "…"] [--send]
// Signs an approval of a transfer (or buyback / liquidation) awaiting approval: reads the workflow's
// `status` query for the fields (status.signing), builds the canonical EIP-712 message
// (domain/treasury/approval.ts) and signs it with the operator's key. Prints the JSON to paste into
// the Temporal Web UI (workflow → Send an Update → name `approve`), or sends the update itself with --send.
// --request: the requester signs their own request (needed before other operators' approvals count).
// The key file holds one 0x… private key; it is read here and never printed, logged or sent.
// Connection: TEMPORAL_ADDRESS (default 127.0.0.1:7233), TEMPORAL_NAMESPACE (default "default"),
// BALLAST_PAYLOAD_KEYS when payloads are encrypted.
import { Client, Connection, WorkflowUpdateFailedError } from '@temporalio/client';
import { Wallet } from 'ethers';
import { readFileSync } from 'node:fs';
import { APPROVAL_DOMAIN, APPROVAL_TYPES, approvalMessage, type ApprovalSubject, type SignedApproval, type SignedDecision } from '../domain/treasury/approval';
import { ballastDataConverter } from '../temporal/data-converter';
import { UsageError, option } from './cli-args';

/** Signs the canonical message for `subject` (only its subject fields are used). */
export async function signApproval(wallet: Pick<Wallet, 'signTypedData'>, subject: ApprovalSubject, decision: SignedDecision, expiresAtSec: number, note?: string): Promise<SignedApproval> {
  const message = approvalMessage(
    { workflowId: subject.workflowId, asset: subject.asset, amount: subject.amount, destination: subject.destination, address: subject.address, network: subject.network },
    decision,
    expiresAtSec,
  );
  const signature = await wallet.signTypedData(APPROVAL_DOMAIN, APPROVAL_TYPES as unknown as Record<string, { name: string; type: string }[]>, message);
  return { ...message, signature, ...(note !== undefined ? { note } : {}) };
}

/** "90s", "30m", "1h", "2d" → seconds. */
export function parseExpiry(s: string): number {
  const m = /^(\d+)([smhd])$/.exec(s.trim());
  if (!m) throw new UsageError(`--expires: expected a duration like "30m", "1h" or "2d", got ${JSON.stringify(s)}`);
  const n = Number(m[1]) * { s: 1, m: 60, h: 3600, d: 86_400 }[m[2] as 's' | 'm' | 'h' | 'd'];
  if (n <= 0 || n > 7 * 86_400) throw new UsageError('--expires: between 1 second and 7 days');
  return n;
}

/** Reads the key file: one 0x-prefixed 32-byte hex key (whitespace around it ignored). Errors never echo it. */
export function readKeyFile(path: string): Wallet {
  let text: string;
  try {
    text = readFileSync(path, 'utf8').trim();
  } catch (e) {
    throw new UsageError(`--key-file: cannot read ${path} (${(e as NodeJS.ErrnoException).code ?? 'error'})`);
  }
  if (!/^(0x)?[0-9a-fA-F]{64}$/.test(text)) throw new UsageError(`--key-file: ${path} must hold one hex private key (64 hex digits, optionally 0x-prefixed)`);
  return new Wallet(text.startsWith('0x') ? text : `0x${text}`);
}

interface StatusWithSigning {
  phase: string;
  signing?: ApprovalSubject & { quorum: number; requester?: string; requestSignedBy?: string; approvedBy: string[] };
}

async function main(): Promise<void> {
  const args = process.argv.slice(2);
  const workflowId = args[0];
  if (!workflowId || workflowId.startsWith('--')) throw new UsageError('usage: npm run approve -- <workflowId> --key-file <file> [--reject | --request] [--expires 1h] [--note "…"] [--send]');
  const keyFile = option(args, 'key-file');
  if (!keyFile) throw new UsageError('--key-file <file> is required (a file holding your private key)');
  if (args.includes('--reject') && args.includes('--request')) throw new UsageError('--reject and --request exclude each other');
  const decision: SignedDecision = args.includes('--reject') ? 'reject' : args.includes('--request') ? 'request' : 'approve';
  const ttl = parseExpiry(option(args, 'expires') ?? '1h');
  const note = option(args, 'note');
  const wallet = readKeyFile(keyFile);

  const connection = await Connection.connect({ address: process.env.TEMPORAL_ADDRESS ?? '127.0.0.1:7233' });
  try {
    const client = new Client({ connection, namespace: process.env.TEMPORAL_NAMESPACE ?? 'default', dataConverter: ballastDataConverter(process.env) });
    const handle = client.workflow.getHandle(workflowId);
    const status = await handle.query<StatusWithSigning>('status');
    if (!status.signing) throw new Error(`${workflowId} has no signed approval to give (phase ${status.phase}; below the threshold, or recorded before signed approvals)`);
    const signed = await signApproval(wallet, status.signing, decision, Math.floor(Date.now() / 1000) + ttl, note);
    process.stderr.write(`${decision} of ${workflowId} signed by ${wallet.address} (quorum ${status.signing.quorum}; approved so far: ${status.signing.approvedBy.join(', ') || 'nobody'})\n`);
    process.stdout.write(`${JSON.stringify(signed, null, 2)}\n`);
    if (args.includes('--send')) {
      try {
        const after = await handle.executeUpdate<StatusWithSigning, [SignedApproval]>('approve', { args: [signed] });
        process.stderr.write(`sent: phase ${after.phase}, approved by ${after.signing?.approvedBy.join(', ') || 'nobody'}\n`);
      } catch (e) {
        if (e instanceof WorkflowUpdateFailedError) throw new Error(`refused: ${e.cause?.message ?? e.message}`);
        throw e;
      }
    } else {
      process.stderr.write('paste the JSON above into the Web UI: the workflow → Send an Update → name "approve"\n');
    }
  } finally {
    await connection.close();
  }
}

if (require.main === module) {
  main().catch((e: unknown) => {
    process.stderr.write(`approve: ${(e as Error).message}\n`);
    process.exit(e instanceof UsageError ? 2 : 1);
  });
}
