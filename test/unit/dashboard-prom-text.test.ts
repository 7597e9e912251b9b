// The dashboard's Prometheus text parser against prom-client's own output (the format the workers
// serve) and against the escapes and special values of the exposition format.
import { Counter, Gauge, Registry } from 'prom-client';
import { parsePromText, PromParseError, select, valueOf } from '../../api/dashboard/prom-text';

describe('parsePromText', () => {
  it('reads back what prom-client writes: gauges, counters, labels with escapes, special values', async () => {
    const r = new Registry();
    const g = new Gauge({ name: 'ballast_depth_quote', help: 'x', labelNames: ['venue', 'side', 'band'], registers: [r] });
    g.set({ venue: 'alpha', side: 'bid', band: '2' }, 20_123.456);
    g.set({ venue: 'alpha', side: 'ask', band: '2' }, 1e-7);
    g.set({ venue: 'we"ird\\na\nme', side: 'bid', band: '5' }, -3);
    g.set({ venue: 'nan', side: 'bid', band: '1' }, NaN);
    g.set({ venue: 'inf', side: 'bid', band: '1' }, Infinity);
    const c = new Counter({ name: 'ballast_fills_total', help: 'y', labelNames: ['venue'], registers: [r] });
    c.inc({ venue: 'alpha' }, 7);
    new Gauge({ name: 'ballast_fair_value_quote', help: 'z', registers: [r] }).set(0.50123);

    const s = parsePromText(await r.metrics());
    expect(valueOf(s, 'ballast_depth_quote', { venue: 'alpha', side: 'bid', band: '2' })).toBe(20_123.456);
    expect(valueOf(s, 'ballast_depth_quote', { venue: 'alpha', side: 'ask' })).toBe(1e-7);
    expect(valueOf(s, 'ballast_depth_quote', { venue: 'we"ird\\na\nme' })).toBe(-3);
    expect(select(s, 'ballast_depth_quote', { venue: 'nan' })[0]!.value).toBeNaN();
    expect(valueOf(s, 'ballast_depth_quote', { venue: 'nan' })).toBeNull();
    expect(select(s, 'ballast_depth_quote', { venue: 'inf' })[0]!.value).toBe(Infinity);
    expect(valueOf(s, 'ballast_fills_total', { venue: 'alpha' })).toBe(7);
    expect(valueOf(s, 'ballast_fair_value_quote')).toBe(0.50123);
    expect(select(s, 'ballast_depth_quote')).toHaveLength(5);
    expect(valueOf(s, 'ballast_missing')).toBeNull();
    expect(valueOf(undefined, 'ballast_fills_total')).toBeNull();
  });

  it('takes timestamps, blank lines, comments, spaces in label lists and -Inf', () => {
    const s = parsePromText('# HELP a x\n# TYPE a gauge\n\na{ x="1" , y="2" } -Inf 1700000000000\nb 3\n');
    expect(select(s, 'a')[0]).toEqual({ labels: { x: '1', y: '2' }, value: -Infinity });
    expect(valueOf(s, 'b')).toBe(3);
  });

  it('names the line of malformed input', () => {
    expect(() => parsePromText('a 1\nb{x="1"} nope\n')).toThrow(new PromParseError(2, 'bad sample value "nope"'));
    expect(() => parsePromText('a{x="1} 2')).toThrow(/line 1: unterminated value of label x/);
    expect(() => parsePromText('a{x=1} 2')).toThrow(/line 1: expected ="value" after label x/);
    expect(() => parsePromText('{x="1"} 2')).toThrow(/line 1: expected a metric name/);
    expect(() => parsePromText('a')).toThrow(/line 1: expected a value/);
  });
});
