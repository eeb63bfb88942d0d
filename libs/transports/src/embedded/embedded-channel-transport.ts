import type { SluiceRecord } from '@sluice/sdk';
import { lastValueFrom } from 'rxjs';
import type { BatchHandler, ChannelSpec, ChannelTransport, SubscribeOptions, TransportStatus } from '../channel-transport.js';
import { markChannelPosition } from '../channel-position.js';
import type { EmbeddedBus } from './embedded-bus.js';
import { EmbeddedClient } from './embedded-client.js';
import { EmbeddedServer } from './embedded-server.js';
import { SoleLeadership, type Leadership } from '../leadership.js';
import { MemoryStateChangelog, type StateChangelog } from '../state-changelog.js';

/** Rejections crossing Nest's event path may be plain objects: make them Errors again. */
function asError(reason: unknown): Error {
  if (reason instanceof Error) return reason;
  const message = typeof reason === 'object' && reason !== null && 'message' in reason ? String((reason as { message: unknown }).message) : String(reason);
  return new Error(message);
}

/**
 * Channels inside one process, carried by the embedded Nest transport. Records are passed by
 * reference (no copy): stages must treat records as immutable, as on any transport.
 */
export class EmbeddedChannelTransport implements ChannelTransport {
  readonly kind = 'embedded';
  private readonly channels = new Set<string>();
  private readonly subscriptions = new Map<string, string>();

  constructor(
    private readonly bus: EmbeddedBus,
    private readonly server: EmbeddedServer,
    private readonly client: EmbeddedClient,
  ) {}

  async connect(): Promise<void> {
    await this.client.connect();
  }

  async ensureChannel(spec: ChannelSpec): Promise<void> {
    this.channels.add(spec.name);
  }

  /**
   * One consumer per channel, which holds its one partition (0): each record it is handed is
   * marked with that partition and the next offset of the channel, as a Kafka consumer's are.
   */
  async subscribe(channel: string, group: string, handler: BatchHandler, options: SubscribeOptions = {}): Promise<void> {
    const existing = this.subscriptions.get(channel);
    if (existing !== undefined) throw new Error(`embedded transport: channel "${channel}" already has a consumer (group "${existing}")`);
    this.subscriptions.set(channel, group);
    let offset = 0n;
    this.server.addHandler(
      channel,
      async (records: SluiceRecord[]) => {
        for (const record of records) markChannelPosition(record, { partition: 0, offset: String(offset++) });
        return handler(records);
      },
      true,
    );
    options.onAssignment?.([0]);
  }

  async unsubscribe(channel: string, _group?: string): Promise<void> {
    this.subscriptions.delete(channel);
    this.server.removeHandler(channel);
  }

  async publish(channel: string, records: readonly SluiceRecord[]): Promise<void> {
    try {
      await lastValueFrom(this.client.emit(channel, records), { defaultValue: undefined });
    } catch (reason) {
      throw asError(reason);
    }
  }

  async close(): Promise<void> {
    this.client.close();
  }

  /** One process: it always leads. */
  leadership(_group: string): Leadership {
    return new SoleLeadership();
  }

  /** One process: the changelog is this process's memory (shared by the stage's partitions, of which there is none). */
  changelog(name: string): StateChangelog {
    return new MemoryStateChangelog(name);
  }

  status(): TransportStatus {
    return {
      connected: this.bus.connected,
      details: { kind: this.kind, channels: this.channels.size, consumers: this.subscriptions.size },
    };
  }
}
