import { SerialLock } from './serial-lock.js';

describe('SerialLock', () => {
  it('runs tasks one at a time in call order, and a failure does not block the next', async () => {
    const lock = new SerialLock();
    const events: string[] = [];
    const task = (name: string, ms: number, fail = false) => () =>
      new Promise<string>((resolve, reject) => {
        events.push(`start ${name}`);
        setTimeout(() => {
          events.push(`end ${name}`);
          if (fail) reject(new Error(name));
          else resolve(name);
        }, ms);
      });
    const a = lock.run(task('a', 20));
    const b = lock.run(task('b', 1, true));
    const c = lock.run(task('c', 1));
    await expect(a).resolves.toBe('a');
    await expect(b).rejects.toThrow('b');
    await expect(c).resolves.toBe('c');
    expect(events).toEqual(['start a', 'end a', 'start b', 'end b', 'start c', 'end c']);
  });
});
