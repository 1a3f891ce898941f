import { describe, expect, it } from 'vitest';
import { RemoteClock } from '../../jobs/remote-clock.ts';

describe('the send gate’s view of Redis’s clock', () => {
  it('places a remote time between bounds that the calls with the shortest round trips tighten', () => {
    const clock = new RemoteClock();
    // The remote clock runs 5,000 ms ahead; calls read it 1 ms after they ask.
    clock.sample(5101, 100, 130);
    expect(clock.toLocal(6000)).toEqual({ from: 999, to: 1029 });
    clock.sample(5201, 200, 202);
    clock.sample(5301, 299, 330);
    expect(clock.toLocal(6000)).toEqual({ from: 999, to: 1001 });
  });

  it('forgets what it learnt two spans ago, and starts over when a clock was stepped', () => {
    const clock = new RemoteClock();
    clock.sample(1000, 0, 1);
    clock.sample(2000, 1000, 1050);
    expect(clock.toLocal(30_000)).toEqual({ from: 29_000, to: 29_001 });
    clock.sample(3005, 2001, 2060);
    // The tight first call is two spans old: the bounds are those of the later calls.
    expect(clock.toLocal(30_000)).toEqual({ from: 29_000, to: 29_050 });
    // The remote clock is stepped 500 ms back: the old bounds contradict this call, which alone counts.
    clock.sample(2560, 3060, 3061);
    expect(clock.toLocal(30_000)).toEqual({ from: 30_500, to: 30_501 });
  });

  it('says whether a call of the last span left the offset known to within a bound', () => {
    const clock = new RemoteClock();
    expect(clock.knownWithin(10, 0)).toBe(false);
    clock.sample(5100, 100, 145);
    expect(clock.knownWithin(10, 150)).toBe(false);
    expect(clock.knownWithin(45, 150)).toBe(true);
    clock.sample(5201, 200, 202);
    expect(clock.knownWithin(10, 210)).toBe(true);
    // No call answered in the last second: what was learnt may have drifted.
    expect(clock.knownWithin(10, 1203)).toBe(false);
  });

  it('has no view before a call read the remote clock', () => {
    expect(() => new RemoteClock().toLocal(1)).toThrow(/no call/);
  });
});
