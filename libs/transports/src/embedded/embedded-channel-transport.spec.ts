import { makeRecord } from '@sluice/sdk';
import { createEmbeddedTransport } from './create-embedded-transport.js';

describe('embedded channel transport', () => {
  it('resolves publish only after the consumer acknowledged the batch', async () => {
    const { transport } = createEmbeddedTransport();
    const order: string[] = [];
    await transport.subscribe('p.stage-1', 'g', async (records) => {
      await new Promise((r) => setTimeout(r, 20));
      order.push(`handled ${records.length}`);
    });
    await transport.publish('p.stage-1', [makeRecord(1), makeRecord(2)]);
    order.push('published');
    expect(order).toEqual(['handled 2', 'published']);
  });

  it('rejects publish with the consumer error, as an Error', async () => {
    const { transport } = createEmbeddedTransport();
    await transport.subscribe('c', 'g', async () => {
      throw new Error('sink down');
    });
    await expect(transport.publish('c', [makeRecord(1)])).rejects.toThrow('sink down');
  });

  it('rejects publish to a channel nobody consumes, and after unsubscribe', async () => {
    const { transport } = createEmbeddedTransport();
    await expect(transport.publish('nobody', [makeRecord(1)])).rejects.toThrow(/nothing consumes channel "nobody"/);
    await transport.subscribe('c', 'g', async () => undefined);
    await transport.publish('c', [makeRecord(1)]);
    await transport.unsubscribe('c', 'g');
    await expect(transport.publish('c', [makeRecord(1)])).rejects.toThrow(/nothing consumes/);
  });

  it('refuses a second consumer on one channel and reports its status', async () => {
    const { transport, server } = createEmbeddedTransport();
    await transport.subscribe('c', 'g', async () => undefined);
    await expect(transport.subscribe('c', 'g2', async () => undefined)).rejects.toThrow(/already has a consumer/);
    expect(transport.status()).toMatchObject({ connected: true, details: { consumers: 1 } });
    server.close();
    expect(transport.status().connected).toBe(false);
  });
});
