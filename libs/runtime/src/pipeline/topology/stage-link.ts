import type { SluiceRecord } from '@sluice/sdk';
import type { BatchHandler, ChannelTransport, SubscribeOptions } from '#transports';

/**
 * Where a stage hands its batches: a channel of the transport, or the next stage of a fused chain
 * called in-line. Either way `publish` resolves once the next hop took responsibility for the
 * batch (a direct call: once the rest of the chain acknowledged it), which is what delivery counts on.
 */
export interface StageOutlet {
  publish(records: readonly SluiceRecord[]): Promise<void>;
}

/** Publishes to a transport channel. */
export function channelOutlet(transport: ChannelTransport, channel: string): StageOutlet {
  return { publish: (records) => transport.publish(channel, records) };
}

/** Calls the next stage of a fused chain directly: no serialisation, no dispatch, no channel. */
export function directOutlet(handler: BatchHandler): StageOutlet {
  return { publish: (records) => handler(records as SluiceRecord[]) };
}

/** Where a stage's batches come from: a channel it consumes as a group member, or the stage before it. */
export type StageInlet =
  | { readonly kind: 'channel'; readonly transport: ChannelTransport; readonly channel: string; readonly group: string; readonly options?: SubscribeOptions }
  | { readonly kind: 'direct' };

/** Starts consuming: subscribes to the channel; a direct inlet is fed by the upstream's outlet. */
export async function openInlet(inlet: StageInlet, handler: BatchHandler): Promise<void> {
  if (inlet.kind === 'channel') await inlet.transport.subscribe(inlet.channel, inlet.group, handler, inlet.options);
}

/** Stops consuming new batches (those under way finish). */
export async function closeInlet(inlet: StageInlet): Promise<void> {
  if (inlet.kind === 'channel') await inlet.transport.unsubscribe(inlet.channel, inlet.group);
}
