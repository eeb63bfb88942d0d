import { ClientProxy, type ReadPacket, type WritePacket } from '@nestjs/microservices';
import { EmbeddedBus } from './embedded-bus.js';

export interface EmbeddedClientOptions {
  readonly bus: EmbeddedBus;
}

/**
 * The client half of the embedded transport: `emit(channel, records)` resolves once the consuming
 * stage acknowledged the records. Request/response (`send`) is not part of the pipeline contract
 * and is answered with an error.
 */
export class EmbeddedClient extends ClientProxy<{ connected: () => void; disconnected: () => void }> {
  private readonly bus: EmbeddedBus;

  constructor(options: EmbeddedClientOptions) {
    super();
    this.bus = options.bus;
    this.initializeSerializer({});
    this.initializeDeserializer({});
  }

  async connect(): Promise<void> {
    this._status$.next('connected');
  }

  close(): void {
    this._status$.next('disconnected');
  }

  override on(event: 'connected' | 'disconnected', callback: () => void): void {
    this.bus.status.on(event, callback);
  }

  unwrap<T>(): T {
    return this.bus as T;
  }

  protected async dispatchEvent<T = unknown>(packet: ReadPacket): Promise<T> {
    const serialized = this.serializer.serialize(packet) as ReadPacket;
    await this.bus.publishEvent({ pattern: this.normalizePattern(serialized.pattern), data: serialized.data });
    return undefined as T;
  }

  protected publish(packet: ReadPacket, callback: (packet: WritePacket) => void): () => void {
    callback({ err: `embedded transport carries events only (pattern ${this.normalizePattern(packet.pattern)})`, isDisposed: true });
    return () => undefined;
  }
}
