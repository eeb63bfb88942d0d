import type { KeyedStateTransform, SluiceRecord } from '@sluice/sdk';
import type { ChannelTransport } from '#transports';
import type { StageOutlet } from '../topology/stage-link.js';
import { shareCopy } from './state-share-header.js';

/**
 * Publishes to the repartition channel before a keyed-state stage: each record once per state key
 * it touches, keyed by that key, so that every share of a key lands in the partition (and on the
 * host) that holds the key's state. A record that touches no key, or whose keys cannot be read,
 * goes whole under its own key: the stage's `process` then handles it (and rejects it, with the
 * reason, to the dead letters).
 */
export function keyedOutlet(transport: ChannelTransport, channel: string, keyer: KeyedStateTransform): StageOutlet {
  return {
    publish: async (records) => {
      const shares: SluiceRecord[] = [];
      for (const record of records) {
        let keys: readonly string[];
        try {
          const pending = keyer.stateKeys(record);
          keys = pending instanceof Promise ? await pending : pending;
        } catch {
          keys = [];
        }
        if (keys.length === 0) shares.push(record);
        else keys.forEach((key, index) => shares.push(shareCopy(record, key, index === 0)));
      }
      await transport.publish(channel, shares);
    },
  };
}
