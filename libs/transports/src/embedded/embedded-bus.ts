import { EventEmitter } from 'node:events';
import type { ReadPacket } from '@nestjs/microservices';

/** The receiving end the bus delivers to (the embedded Nest server). */
export interface EmbeddedReceiver {
  deliverEvent(packet: ReadPacket): Promise<void>;
}

/**
 * The in-process wire between the embedded client and server: one per host. Delivery is a direct
 * call that resolves when the receiving handler has finished, which is what gives the embedded
 * transport the same acknowledgement semantics as a broker.
 */
export class EmbeddedBus {
  readonly status = new EventEmitter();
  private receiver: EmbeddedReceiver | null = null;

  attach(receiver: EmbeddedReceiver): void {
    this.receiver = receiver;
    this.status.emit('connected');
  }

  detach(receiver: EmbeddedReceiver): void {
    if (this.receiver === receiver) {
      this.receiver = null;
      this.status.emit('disconnected');
    }
  }

  get connected(): boolean {
    return this.receiver !== null;
  }

  async publishEvent(packet: ReadPacket): Promise<void> {
    if (!this.receiver) throw new Error('embedded transport: no server is listening');
    await this.receiver.deliverEvent(packet);
  }
}
