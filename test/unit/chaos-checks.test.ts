// The chaos command's verdicts (scripts/chaos/): the secret scan catches a planted secret only after
// decoding an encrypted history through the codec, and in log text; exactly-once, lost money and
// conservation judged from venue, chain and ledger facts.
import { randomBytes } from 'node:crypto';
import { DefaultPayloadConverter } from '@temporalio/common';
import { AesGcmPayloadCodec, loadCodecKeys, generateKeyEntry, PAYLOAD_KEYS_ENV } from '../../temporal/codec';
import { conservation, judgeWorkflow, withdrawalsOf, type WithdrawalFact, type WorkflowFact } from '../../scripts/chaos/checks';
import { decodeHistoryText, findSecrets } from '../../scripts/chaos/secret-scan';

const codec = () => new AesGcmPayloadCodec(loadCodecKeys({ [PAYLOAD_KEYS_ENV]: generateKeyEntry() })!);

describe('secret scan', () => {
  const apiSecret = randomBytes(32).toString('hex');
  const privateKey = `0x${randomBytes(32).toString('hex')}`;
  const secrets = [
    { name: 'venue API secret', value: apiSecret },
    { name: 'private key', value: privateKey },
  ];

  it('finds a secret planted in an encrypted activity input only after decoding through the codec', async () => {
    const c = codec();
    const planted = new DefaultPayloadConverter().toPayload({ venue: 'alpha', note: `oops ${apiSecret}` });
    const [encrypted] = await c.encode([planted]);
    const history = { events: [{ eventId: 5, activityTaskScheduledEventAttributes: { activityType: { name: 'withdraw' }, input: { payloads: [encrypted] } } }] };

    const clear = await decodeHistoryText(history, undefined);
    expect(clear.undecoded).toBe(1);
    expect(findSecrets(clear.text, secrets, 'h')).toEqual([]);

    const decoded = await decodeHistoryText(history, c);
    expect(decoded).toMatchObject({ payloads: 1, undecoded: 0 });
    expect(findSecrets(decoded.text, secrets, 'history wf-1')).toEqual([{ secret: 'venue API secret', where: 'history wf-1' }]);
  });

  it('counts a payload another key encrypted as undecoded (not silently scanned as clean)', async () => {
    const [encrypted] = await codec().encode([new DefaultPayloadConverter().toPayload({ a: 1 })]);
    const r = await decodeHistoryText({ events: [{ input: { payloads: [encrypted] } }] }, codec());
    expect(r.undecoded).toBe(1);
  });

  it('finds a private key in a log line with or without 0x, in any case, and a URL-encoded password', () => {
    expect(findSecrets(`{"msg":"signing with ${privateKey.slice(2).toUpperCase()}"}`, secrets, 'worker.log')).toEqual([{ secret: 'private key', where: 'worker.log' }]);
    const pw = 'p@ss/word+with=chars';
    expect(findSecrets(`postgres://u:${encodeURIComponent(pw)}@h/db`, [{ name: 'db password', value: pw }], 'log')).toHaveLength(1);
    expect(findSecrets('nothing here', secrets, 'log')).toEqual([]);
  });

  it('refuses a secret too short to mean anything', () => {
    expect(() => findSecrets('x', [{ name: 'short', value: 'abc' }], 'log')).toThrow(/too short/);
  });
});

describe('exactly-once and lost money', () => {
  const addr = '0x00000000000000000000000000000000000000b1';
  const wf = (o: Partial<WorkflowFact> = {}): WorkflowFact => ({ workflowId: 'transfer:c-1', asset: 'BLST', amount: '120.05', address: addr, end: 'completed', ledger: ['reservation', 'transfer', 'fee'], ...o });
  const w = (o: Partial<WithdrawalFact> = {}): WithdrawalFact => ({ id: 'alpha-w-1', asset: 'BLST', amount: '120.05', fee: '2', address: addr, status: 'ok', idempotencyKey: 'transfer:c-1:withdraw', ...o });

  it('attributes withdrawals by key, or by asset, amount and address when the venue keeps no key', () => {
    const all = [w(), w({ id: 'alpha-w-2', idempotencyKey: 'transfer:c-2:withdraw' }), w({ id: 'alpha-w-3', idempotencyKey: undefined, amount: '120.050' }), w({ id: 'alpha-w-4', idempotencyKey: undefined, amount: '7' })];
    expect(withdrawalsOf(wf(), all).map((x) => x.id)).toEqual(['alpha-w-1', 'alpha-w-3']);
  });

  it('a completed transfer with one withdrawal and one ledger transfer is clean', () => {
    expect(judgeWorkflow(wf(), [w()])).toMatchObject({ exactlyOnceViolation: false, lost: false, leakedReservation: false, problems: [] });
  });

  it('two withdrawals that moved money are a violation; a refunded second one is not', () => {
    // The second one is also money the ledger does not account for.
    expect(judgeWorkflow(wf(), [w(), w({ id: 'alpha-w-2' })])).toMatchObject({ exactlyOnceViolation: true, lost: true });
    expect(judgeWorkflow(wf(), [w(), w({ id: 'alpha-w-2', status: 'failed' })]).exactlyOnceViolation).toBe(false);
  });

  it('money moved with a released reservation, or neither transfer nor suspense, is lost', () => {
    expect(judgeWorkflow(wf({ end: 'failed', ledger: ['reservation', 'release'] }), [w({ status: 'confirming' })]).lost).toBe(true);
    expect(judgeWorkflow(wf({ end: 'failed', ledger: ['reservation', 'suspense'] }), [w()]).lost).toBe(false);
    expect(judgeWorkflow(wf({ end: 'failed', ledger: ['reservation', 'reversal', 'release'] }), [w({ status: 'failed' })]).lost).toBe(false);
  });

  it('a failure with nothing moved must release its reservation', () => {
    expect(judgeWorkflow(wf({ end: 'failed', ledger: ['reservation'] }), []).leakedReservation).toBe(true);
    expect(judgeWorkflow(wf({ end: 'failed', ledger: ['reservation', 'release'] }), []).leakedReservation).toBe(false);
    // Venue unreachable at compensation: booked to suspense, the cap stays consumed, nothing missing.
    expect(judgeWorkflow(wf({ end: 'failed', ledger: ['reservation', 'suspense'] }), [])).toMatchObject({ leakedReservation: false, lost: false });
  });
});

describe('conservation', () => {
  it('venues + wallets + in flight + ledger fees equal the start, in decimals', () => {
    const start = { BLST: { venues: '1000000', wallets: '0', inFlight: '0' } };
    const end = { BLST: { venues: '999697.9', wallets: '100.05', inFlight: '200.05' } };
    expect(conservation(start, end, { BLST: '2' })).toEqual([{ asset: 'BLST', start: '1000000', end: '999998', fees: '2', diff: '0', ok: true }]);
    const [line] = conservation(start, end, { BLST: '0' });
    expect(line).toMatchObject({ ok: false, diff: '2' });
  });
});
