import { RespawnPolicy } from './respawn';
import { StderrTail } from './stderr-tail';

describe('RespawnPolicy', () => {
  test('doubles the delay for each crash in the window and gives up past maxRestarts', () => {
    let now = 0;
    const p = new RespawnPolicy({ initialDelayMs: 100, maxDelayMs: 250, maxRestarts: 3, windowMs: 1000 }, () => now);
    expect([p.next(), p.next(), p.next()]).toEqual([100, 200, 250]);
    expect(p.next()).toBeUndefined();
    // crashes older than the window no longer count
    now = 5000;
    expect(p.next()).toBe(100);
    expect(p.recent).toBe(1);
  });
});

describe('StderrTail', () => {
  test('keeps the last lines, the unfinished one included', () => {
    const t = new StderrTail(3);
    t.push('a\nb\n');
    t.push('c\nd\npart');
    expect(t.get()).toEqual(['c', 'd', 'part']);
  });
});
