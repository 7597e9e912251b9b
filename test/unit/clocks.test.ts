import { RealClock, VirtualClock } from '../../hotpath/clocks';

describe('VirtualClock', () => {
  it('starts at the given time and does nothing until run', () => {
    const c = new VirtualClock(1_000);
    const log: string[] = [];
    c.schedule(0, () => log.push('a'));
    expect(c.now()).toBe(1_000);
    expect(log).toEqual([]);
    expect(c.pending()).toBe(1);
  });

  it('runs timers in time order, whatever the scheduling order', () => {
    const c = new VirtualClock();
    const log: string[] = [];
    c.schedule(30, () => log.push(`c@${c.now()}`));
    c.schedule(10, () => log.push(`a@${c.now()}`));
    c.schedule(20, () => log.push(`b@${c.now()}`));
    c.runAll();
    expect(log).toEqual(['a@10', 'b@20', 'c@30']);
    expect(c.now()).toBe(30);
  });

  it('breaks ties by insertion order', () => {
    const c = new VirtualClock();
    const log: number[] = [];
    for (let i = 0; i < 20; i++) c.schedule(5, () => log.push(i));
    c.runAll();
    expect(log).toEqual(Array.from({ length: 20 }, (_, i) => i));
  });

  it('keeps (time, seq) order for many interleaved timers (heap property)', () => {
    const c = new VirtualClock();
    const seen: [number, number][] = [];
    // Delays 7·i mod 13: every delay in 0..12 occurs several times, inserted out of order.
    for (let i = 0; i < 200; i++) {
      const delay = (7 * i) % 13;
      c.schedule(delay, () => seen.push([c.now(), i]));
    }
    c.runAll();
    const expected = Array.from({ length: 200 }, (_, i) => [(7 * i) % 13, i] as [number, number]).sort((a, b) => a[0] - b[0] || a[1] - b[1]);
    expect(seen).toEqual(expected);
  });

  it('cancel removes a timer; cancelling twice or after it ran is harmless', () => {
    const c = new VirtualClock();
    const log: string[] = [];
    const cancelA = c.schedule(10, () => log.push('a'));
    const cancelB = c.schedule(20, () => log.push('b'));
    cancelA();
    cancelA();
    expect(c.pending()).toBe(1);
    c.runAll();
    cancelB();
    expect(log).toEqual(['b']);
    expect(c.pending()).toBe(0);
  });

  it('a timer can cancel a later timer', () => {
    const c = new VirtualClock();
    const log: string[] = [];
    let cancelLater = (): void => undefined;
    c.schedule(1, () => cancelLater());
    cancelLater = c.schedule(2, () => log.push('later'));
    c.runAll();
    expect(log).toEqual([]);
  });

  it('honours timers scheduled while running, including zero delays at the same instant', () => {
    const c = new VirtualClock();
    const log: string[] = [];
    c.schedule(10, () => {
      log.push(`outer@${c.now()}`);
      c.schedule(0, () => log.push(`zero@${c.now()}`));
      c.schedule(5, () => log.push(`nested@${c.now()}`));
    });
    c.schedule(10, () => log.push(`sibling@${c.now()}`));
    c.runUntil(100);
    // The zero-delay child runs at t=10 but after the sibling that was already due at t=10.
    expect(log).toEqual(['outer@10', 'sibling@10', 'zero@10', 'nested@15']);
  });

  it('runUntil runs events at exactly t, leaves later ones, and ends at t', () => {
    const c = new VirtualClock();
    const log: number[] = [];
    for (const t of [5, 10, 11]) c.schedule(t, () => log.push(t));
    expect(c.runUntil(10)).toBe(2);
    expect(log).toEqual([5, 10]);
    expect(c.now()).toBe(10);
    expect(c.nextEventTime()).toBe(11);
    expect(c.runUntil(10)).toBe(0);
    expect(c.runFor(1)).toBe(1);
    expect(log).toEqual([5, 10, 11]);
    c.runFor(50);
    expect(c.now()).toBe(61);
  });

  it('runUntil refuses to go back in time; schedule refuses negative delays', () => {
    const c = new VirtualClock(100);
    expect(() => c.runUntil(99)).toThrow(RangeError);
    expect(() => c.schedule(-1, () => undefined)).toThrow(RangeError);
    expect(() => c.schedule(Number.NaN, () => undefined)).toThrow(RangeError);
  });

  it('step runs exactly one event and reports when there is none', () => {
    const c = new VirtualClock();
    const log: number[] = [];
    c.schedule(3, () => log.push(3));
    c.schedule(4, () => log.push(4));
    expect(c.step()).toBe(true);
    expect(log).toEqual([3]);
    expect(c.now()).toBe(3);
    expect(c.step()).toBe(true);
    expect(c.step()).toBe(false);
    expect(c.now()).toBe(4);
  });

  it('an exception in a timer propagates and the clock stays usable', () => {
    const c = new VirtualClock();
    const log: string[] = [];
    c.schedule(1, () => {
      throw new Error('boom');
    });
    c.schedule(2, () => log.push('after'));
    expect(() => c.runAll()).toThrow('boom');
    expect(c.pending()).toBe(1);
    c.runAll();
    expect(log).toEqual(['after']);
  });

  it('runAll stops a timer that reschedules itself forever', () => {
    const c = new VirtualClock();
    const tick = (): void => {
      c.schedule(1, tick);
    };
    c.schedule(1, tick);
    expect(() => c.runAll(1000)).toThrow(/still 1 timers after 1000 events/);
  });

  it('runUntilAsync lets awaiting code schedule its next step before time moves on', async () => {
    const c = new VirtualClock();
    const sleep = (ms: number): Promise<void> => new Promise((r) => c.schedule(ms, r));
    const log: number[] = [];
    const proc = (async () => {
      for (let i = 0; i < 3; i++) {
        await sleep(10);
        log.push(c.now());
      }
    })();
    await c.runUntilAsync(25);
    expect(log).toEqual([10, 20]);
    expect(c.now()).toBe(25);
    await c.runForAsync(100);
    await proc;
    expect(log).toEqual([10, 20, 30]);
  });

  it('resolve runs events until the promise settles and passes its rejection through', async () => {
    const c = new VirtualClock();
    const later = <T>(ms: number, v: T): Promise<T> => new Promise((r) => c.schedule(ms, () => r(v)));
    c.schedule(1000, () => undefined);
    expect(await c.resolve(later(40, 'x'))).toBe('x');
    expect(c.now()).toBe(40);
    const failing = new Promise((_r, reject) => c.schedule(5, () => reject(new Error('nope'))));
    await expect(c.resolve(failing)).rejects.toThrow('nope');
    await expect(c.resolve(new Promise(() => undefined))).rejects.toThrow(/did not settle/);
  });

  it('is deterministic: the same schedule gives the same trace', () => {
    const trace = (): string[] => {
      const c = new VirtualClock();
      const out: string[] = [];
      for (let i = 0; i < 50; i++) c.schedule((i * 37) % 11, () => out.push(`${c.now()}:${i}`));
      c.runAll();
      return out;
    };
    expect(trace()).toEqual(trace());
  });
});

describe('RealClock', () => {
  it('reads wall time', () => {
    const c = new RealClock();
    const before = Date.now();
    const t = c.now();
    expect(t).toBeGreaterThanOrEqual(before);
    expect(t).toBeLessThanOrEqual(Date.now());
  });

  it('fires timers in delay order', async () => {
    const c = new RealClock();
    const log: string[] = [];
    await new Promise<void>((done) => {
      c.schedule(20, () => {
        log.push('b');
        done();
      });
      c.schedule(1, () => log.push('a'));
    });
    expect(log).toEqual(['a', 'b']);
    expect(c.pending()).toBe(0);
  });

  it('cancel and stop prevent timers from firing; schedule after stop is ignored', async () => {
    const c = new RealClock();
    const log: string[] = [];
    const cancel = c.schedule(5, () => log.push('cancelled'));
    c.schedule(5, () => log.push('stopped'));
    cancel();
    expect(c.pending()).toBe(1);
    c.stop();
    expect(c.pending()).toBe(0);
    c.schedule(0, () => log.push('after stop'));
    await new Promise((r) => setTimeout(r, 30));
    expect(log).toEqual([]);
  });

  it('unrefs its timers so they never keep the process alive', () => {
    const c = new RealClock();
    const spy = jest.spyOn(global, 'setTimeout');
    c.schedule(60_000, () => undefined);
    const timer = spy.mock.results[0]!.value as NodeJS.Timeout;
    spy.mockRestore();
    expect(timer.hasRef()).toBe(false);
    c.stop();
  });
});
