import { describe, expect, it } from '@jest/globals';
import { MessageBuffer } from './message-buffer.js';

describe('message buffer', () => {
  it('never holds more than its capacity and hands items out oldest first', async () => {
    const buffer = new MessageBuffer<number>(2);
    buffer.push(1);
    buffer.push(2);
    expect(buffer.isFull).toBe(true);
    expect(() => buffer.push(3)).toThrow('the buffer is full (2 items)');
    const room = buffer.waitForRoom(60_000);
    expect(buffer.takeAll()).toEqual([1, 2]);
    await expect(room).resolves.toBe(true);
    expect(buffer.peak).toBe(2);
    expect(buffer.size).toBe(0);
  });

  it('gives up waiting for room after the timeout so the caller can heartbeat', async () => {
    const buffer = new MessageBuffer<number>(1);
    buffer.push(1);
    await expect(buffer.waitForRoom(5)).resolves.toBe(false);
  });

  it('wakes readers on items, on abort, on interruption and on close', async () => {
    const buffer = new MessageBuffer<string>(5);
    const controller = new AbortController();
    const arrived = buffer.waitForItems(controller.signal);
    buffer.push('x');
    await arrived;
    buffer.takeAll();
    const aborted = buffer.waitForItems(controller.signal);
    controller.abort();
    await aborted;
    const interrupted = buffer.waitForItems(new AbortController().signal);
    buffer.interruptReaders();
    await interrupted;
    const closing = buffer.waitForItems(new AbortController().signal);
    buffer.close();
    await closing;
    expect(() => buffer.push('late')).toThrow('closed');
    await expect(buffer.waitForRoom(60_000)).resolves.toBe(true);
  });

  it('clear drops the items, reports how many, and frees the room', async () => {
    const buffer = new MessageBuffer<number>(1);
    buffer.push(1);
    const room = buffer.waitForRoom(60_000);
    expect(buffer.clear()).toBe(1);
    await expect(room).resolves.toBe(true);
    expect(() => new MessageBuffer(0)).toThrow(RangeError);
  });
});
