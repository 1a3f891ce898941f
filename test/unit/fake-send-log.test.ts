import { describe, expect, it } from 'vitest';
import { SendLog } from '../fakes/send-log.ts';

describe('the fake platforms’ send log', () => {
  it('blocks the send over a limit in a sliding window until the oldest counted send leaves it', () => {
    const log = new SendLog();
    log.add(1000, 'a');
    log.add(1400, 'b');
    log.add(1900, 'a');
    expect(log.blockedUntil(1950, 4, 1000)).toBeNull();
    // three sends in (950, 1950]: the third from the end (1000) leaves the window at 2000
    expect(log.blockedUntil(1950, 3, 1000)).toBe(2000);
    expect(log.blockedUntil(2000, 3, 1000)).toBeNull();
    expect(log.blockedUntil(2000, 2, 1000)).toBe(2400);
  });

  it('counts a chat’s sends apart from the others', () => {
    const log = new SendLog();
    log.add(0, 'a');
    log.add(10, 'b');
    log.add(20, 'a');
    expect(log.blockedUntil(30, 2, 1000, 'a')).toBe(1000);
    expect(log.blockedUntil(30, 2, 1000, 'b')).toBeNull();
    expect(log.blockedUntil(30, 1, 60_000, 'b')).toBe(60_010);
    expect(log.blockedUntil(30, 1, 1000, 'nobody')).toBeNull();
  });

  it('keeps only the last minute, however long it runs', () => {
    const log = new SendLog();
    for (let t = 0; t < 600_000; t += 2) log.add(t, `chat-${t % 5000}`);
    expect(log.size).toBe(30_000);
    expect(log.blockedUntil(600_000, 30_001, 60_000)).toBeNull();
    // sends at 599,002 … 599,998 are in (599,000, 600,000]: 499 of them
    expect(log.blockedUntil(600_000, 500, 1000)).toBeNull();
    expect(log.blockedUntil(600_000, 499, 1000)).toBe(600_002);
    log.clear();
    expect(log.size).toBe(0);
    expect(log.blockedUntil(600_000, 1, 1000)).toBeNull();
  });
});
