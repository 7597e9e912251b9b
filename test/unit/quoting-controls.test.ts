// What the quoting worker does with each read of the coordinator's quoting controls: the modes stamp
// its PolledModeSource (every quoted venue; unnamed ones normal), and each operator kill-switch reset
// is applied exactly once — resets already recorded at the first read belong to earlier runs.
import { PolledModeSource } from '../../hotpath/mode-source';
import { quotingControlsHandlers } from '../../temporal/coordinator-client';
import { createLogger } from '../../config/logger';
import type { KillSwitchReset, VenueModeEntry } from '../../workflows/liquidity-coordinator.workflow';

const logger = createLogger({ name: 'test', level: 'silent' });
const reset = (seq: number, venueId?: string): KillSwitchReset => ({ seq, ...(venueId ? { venueId } : {}), reason: 'checked', requestedBy: 'ops@desk' });
const paused: Record<string, VenueModeEntry> = { bravo: { mode: 'paused', reason: 'maintenance', requestedBy: 'ops', seq: 1 } };

describe('quotingControlsHandlers', () => {
  it('stamps the modes, applies each new reset once and never the ones from before the first read', () => {
    let now = 1_000;
    const modes = new PolledModeSource(2_000);
    const applied: (string | undefined)[] = [];
    const h = quotingControlsHandlers({ modes, venueIds: ['alpha', 'bravo'], resetKillSwitch: (v) => applied.push(v), now: () => now, logger });
    expect(modes.blocked(now)).toBe('operating modes not known yet');

    h.onRead({ modes: paused, killSwitchResets: [reset(3, 'alpha')] });
    expect([modes.current('alpha'), modes.current('bravo'), modes.blocked(now)]).toEqual(['normal', 'paused', undefined]);
    expect(applied).toEqual([]); // seq 3 predates this run

    now += 500;
    h.onRead({ modes: paused, killSwitchResets: [reset(3, 'alpha'), reset(5, 'alpha'), reset(6)] });
    expect(applied).toEqual(['alpha', undefined]);
    h.onRead({ modes: paused, killSwitchResets: [reset(5, 'alpha'), reset(6)] });
    expect(applied).toEqual(['alpha', undefined]); // read again: not re-applied

    // Failed reads leave the last stamp: blocked once it is older than the limit.
    h.onFailure();
    now += 2_001;
    expect(modes.blocked(now)).toMatch(/unreadable for 2001 ms/);
    h.onRead({ modes: {}, killSwitchResets: [reset(5, 'alpha'), reset(6), reset(9, 'bravo')] });
    expect([modes.current('bravo'), modes.blocked(now)]).toEqual(['normal', undefined]);
    expect(applied).toEqual(['alpha', undefined, 'bravo']);
  });
});

describe('quotingControlsHandlers: an outage is diagnosed once', () => {
  it('asks for the cause at the first failed read of an outage, logs it as an error, and again only after a good read', async () => {
    const lines: { level: number; msg: string; cause?: string }[] = [];
    const sink = createLogger({ name: 'test', level: 'info', destination: { write: (l: string) => lines.push(JSON.parse(l) as (typeof lines)[number]) } });
    let asked = 0;
    const h = quotingControlsHandlers({
      modes: new PolledModeSource(2_000),
      venueIds: ['alpha'],
      resetKillSwitch: () => undefined,
      now: () => 0,
      logger: sink,
      diagnose: async () => {
        asked += 1;
        return 'coordinator:BLST is running on task queue "old"';
      },
    });
    h.onFailure();
    h.onFailure();
    await new Promise((r) => setImmediate(r));
    expect(asked).toBe(1);
    expect(lines.find((l) => l.level === 50)).toMatchObject({ msg: 'operating modes unreadable: coordinator on another task queue', cause: 'coordinator:BLST is running on task queue "old"' });
    h.onRead({ modes: {}, killSwitchResets: [] });
    h.onFailure();
    await new Promise((r) => setImmediate(r));
    expect(asked).toBe(2);
  });
});
