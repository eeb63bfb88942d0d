import { Batcher } from './batcher.js';

const policy = { maxRecords: 3, maxBytes: 0, maxWaitMs: 20 };

describe('Batcher', () => {
  it('hands on a batch as soon as it is full, in order', () => {
    const batches: number[][] = [];
    const batcher = new Batcher<number>(policy, (batch) => batches.push(batch));
    for (let i = 0; i < 7; i++) batcher.add(i);
    expect(batches).toEqual([
      [0, 1, 2],
      [3, 4, 5],
    ]);
    expect(batcher.pending).toBe(1);
    batcher.flush();
    expect(batches.at(-1)).toEqual([6]);
  });

  it('hands on a partial batch once its first item waited maxWaitMs', async () => {
    const batches: number[][] = [];
    const batcher = new Batcher<number>(policy, (batch) => batches.push(batch));
    batcher.add(1);
    await new Promise((r) => setTimeout(r, 5));
    batcher.add(2);
    expect(batches).toEqual([]);
    await new Promise((r) => setTimeout(r, 30));
    expect(batches).toEqual([[1, 2]]);
  });

  it('closes a batch at maxBytes, and splits a flush into batches of maxRecords', () => {
    const batches: string[][] = [];
    const batcher = new Batcher<string>({ maxRecords: 2, maxBytes: 10, maxWaitMs: 1000 }, (batch) => batches.push(batch));
    batcher.add('a', 4);
    batcher.add('b', 7);
    expect(batches).toEqual([['a', 'b']]);
    const unbounded = new Batcher<number>({ maxRecords: 2, maxBytes: 0, maxWaitMs: 1000 }, (batch) => batches.push(batch.map(String)));
    unbounded.add(1);
    unbounded.flush();
    unbounded.flush();
    expect(batches).toEqual([['a', 'b'], ['1']]);
  });

  it('gathers while held, hands on in full batches at resume, and still flushes on demand', async () => {
    const batches: number[][] = [];
    const batcher = new Batcher<number>(policy, (batch) => batches.push(batch));
    batcher.hold();
    for (let i = 0; i < 4; i++) batcher.add(i);
    await new Promise((r) => setTimeout(r, 30));
    expect(batches).toEqual([]);
    expect(batcher.pending).toBe(4);
    batcher.resume();
    expect(batches).toEqual([[0, 1, 2], [3]]);
    batcher.hold();
    batcher.add(4);
    batcher.flush();
    expect(batches.at(-1)).toEqual([4]);
    batcher.resume();
    batcher.add(5);
    await new Promise((r) => setTimeout(r, 30));
    expect(batches.at(-1)).toEqual([5]);
  });
});
