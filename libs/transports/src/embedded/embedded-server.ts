import { Server, type CustomTransportStrategy, type ReadPacket } from '@nestjs/microservices';
import { isObservable, lastValueFrom } from 'rxjs';
import { EmbeddedBus, type EmbeddedReceiver } from './embedded-bus.js';
import { EmbeddedContext } from './embedded-context.js';

export const EMBEDDED_TRANSPORT = Symbol('SLUICE_EMBEDDED_TRANSPORT');

type EmbeddedEvents = { connected: () => void; disconnected: () => void };

/**
 * The server half of the embedded transport: a Nest microservice strategy whose handlers are the
 * pipeline stages' consumers (registered with `addHandler`, like `@EventPattern` handlers are).
 */
export class EmbeddedServer extends Server<EmbeddedEvents> implements CustomTransportStrategy, EmbeddedReceiver {
  override transportId = EMBEDDED_TRANSPORT;
  override readonly propagatesEventHandlerErrors = true;

  constructor(private readonly bus: EmbeddedBus) {
    super();
    this.initializeSerializer({});
    this.initializeDeserializer({});
  }

  listen(callback: (...optionalParams: unknown[]) => unknown): void {
    this.bus.attach(this);
    this._status$.next('connected');
    callback();
  }

  close(): void {
    this.bus.detach(this);
    this._status$.next('disconnected');
  }

  on<K extends keyof EmbeddedEvents>(event: K, callback: EmbeddedEvents[K]): void {
    this.bus.status.on(event, callback);
  }

  unwrap<T>(): T {
    return this.bus as T;
  }

  /** Removes the handler of a channel (the stage unsubscribed). */
  removeHandler(pattern: string): void {
    this.messageHandlers.delete(this.normalizePattern(pattern));
  }

  /**
   * Awaits the handler, including an Observable result, and lets its error reach the publisher:
   * the base class only subscribes to the result, which would acknowledge before the work is done.
   */
  override async handleEvent(pattern: string, packet: ReadPacket, context: EmbeddedContext): Promise<void> {
    const handler = this.getHandlerByPattern(pattern);
    if (!handler) throw new Error(`embedded transport: nothing consumes channel "${pattern}"`);
    const result: unknown = await handler(packet.data, context);
    if (isObservable(result)) await lastValueFrom(result, { defaultValue: undefined });
  }

  async deliverEvent(packet: ReadPacket): Promise<void> {
    const pattern = this.normalizePattern(packet.pattern);
    await this.handleEvent(pattern, packet, new EmbeddedContext([pattern]));
  }
}
