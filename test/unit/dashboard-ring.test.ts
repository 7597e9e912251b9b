// SSE resumption: the ring replays exactly the events after a client's Last-Event-ID, and says when
// it cannot (dropped events, an id from another server life) so the latest snapshot goes instead.
import { EventRing } from '../../api/dashboard/ring';

const ring = (ids: number[], capacity = 5) => {
  const r = new EventRing<{ seq: number }>(capacity);
  for (const seq of ids) r.push({ seq });
  return r;
};
const seqs = (xs: { seq: number }[] | undefined) => xs?.map((x) => x.seq);

describe('EventRing', () => {
  it('replays only the events after the given id', () => {
    const r = ring([1, 2, 3, 4, 5]);
    expect(seqs(r.after(2))).toEqual([3, 4, 5]);
    expect(seqs(r.after(0))).toEqual([1, 2, 3, 4, 5]);
    expect(r.after(5)).toEqual([]);
  });

  it('keeps the last `capacity` events and refuses a replay with a gap', () => {
    const r = ring([1, 2, 3, 4, 5, 6, 7]);
    expect(r.size).toBe(5);
    expect(r.latest()).toEqual({ seq: 7 });
    expect(seqs(r.after(2))).toEqual([3, 4, 5, 6, 7]);
    // Event 2 was dropped: a client that last saw 1 cannot be brought up to date by replay.
    expect(r.after(1)).toBeUndefined();
  });

  it('refuses an id ahead of its own (a client of an earlier server) and an empty ring', () => {
    expect(ring([1, 2]).after(9)).toBeUndefined();
    expect(ring([]).after(0)).toBeUndefined();
  });

  it('requires increasing ids and a positive capacity', () => {
    expect(() => ring([1, 1])).toThrow(/must increase/);
    expect(() => new EventRing(0)).toThrow(RangeError);
  });
});
