// withdrawal: ops take funds off a venue to a whitelisted wallet (cold storage, the safe wallet),
// typically started from the Temporal Web UI's start-workflow form with one JSON object. Same
// guarantees as fundTransfer (it runs the same steps): id `withdrawal:<requestId>`, caps, signed
// approvals by other operators above the threshold, one idempotent withdrawal, tx hash, confirmations, ledger, `status` query.
import { WithdrawalInputSchema, type WithdrawalInput } from '../domain/treasury/transfer.schemas';
import { runTransfer, type TransferResult } from './fund-transfer.workflow';
import { validateWorkflowInput } from './validate';

export async function withdrawal(rawInput: WithdrawalInput): Promise<TransferResult> {
  const w = validateWorkflowInput(WithdrawalInputSchema, rawInput, 'withdrawal');
  return runTransfer(
    {
      requestId: w.requestId,
      asset: w.asset,
      amount: w.amount,
      from: { venue: w.fromVenue },
      to: { wallet: w.toWallet },
      requester: w.requester,
      ...(w.reason !== undefined ? { reason: w.reason } : {}),
      approvalTimeoutSec: w.approvalTimeoutSec,
      confirmations: w.confirmations,
    },
    'withdrawal',
  );
}
