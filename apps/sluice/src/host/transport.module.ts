import { Module, type DynamicModule } from '@nestjs/common';
import { EmbeddedBus, EmbeddedChannelTransport, EmbeddedClient, EmbeddedServer } from '#transports';
import type { TransportConfig } from '#runtime';
import { CHANNEL_TRANSPORT } from './tokens.js';

/**
 * The transport the pipelines run on, as Nest providers. Embedded: the in-process Nest
 * microservice strategy (`EmbeddedServer`, connected by the bootstrap with `connectMicroservice`)
 * and its client; the pipelines see only the ChannelTransport.
 */
@Module({})
export class TransportModule {
  static forRoot(config: TransportConfig): DynamicModule {
    if (config.kind !== 'embedded') {
      throw new Error(`transport "${config.kind}" is not available in this build; use transport.kind: embedded`);
    }
    return {
      module: TransportModule,
      global: true,
      providers: [
        EmbeddedBus,
        { provide: EmbeddedServer, useFactory: (bus: EmbeddedBus) => new EmbeddedServer(bus), inject: [EmbeddedBus] },
        { provide: EmbeddedClient, useFactory: (bus: EmbeddedBus) => new EmbeddedClient({ bus }), inject: [EmbeddedBus] },
        {
          provide: CHANNEL_TRANSPORT,
          useFactory: (bus: EmbeddedBus, server: EmbeddedServer, client: EmbeddedClient) => new EmbeddedChannelTransport(bus, server, client),
          inject: [EmbeddedBus, EmbeddedServer, EmbeddedClient],
        },
      ],
      exports: [CHANNEL_TRANSPORT, EmbeddedServer, EmbeddedBus],
    };
  }
}
