import { Module, type DynamicModule, type Provider } from '@nestjs/common';
import type { Logger } from 'pino';
import { kafkaSecurityOptions } from '@sluice/kafka';
import { logLevel } from 'kafkajs';
import { EmbeddedBus, EmbeddedChannelTransport, EmbeddedClient, EmbeddedServer, KafkaChannelTransport } from '#transports';
import type { TransportConfig } from '#runtime';
import { CHANNEL_TRANSPORT, SLUICE_LOGGER } from './tokens.js';

/**
 * The transport the pipelines run on, as Nest providers; the pipelines see only the ChannelTransport.
 * - embedded: the in-process Nest microservice strategy (`EmbeddedServer`, connected by the
 *   bootstrap with `connectMicroservice`) and its client;
 * - kafka: Nest's Kafka strategies, a `ClientKafka` producer and one `ServerKafka` consumer-group
 *   member per stage (see KafkaChannelTransport).
 */
@Module({})
export class TransportModule {
  static forRoot(config: TransportConfig): DynamicModule {
    const providers: Provider[] =
      config.kind === 'embedded'
        ? [
            EmbeddedBus,
            { provide: EmbeddedServer, useFactory: (bus: EmbeddedBus) => new EmbeddedServer(bus), inject: [EmbeddedBus] },
            { provide: EmbeddedClient, useFactory: (bus: EmbeddedBus) => new EmbeddedClient({ bus }), inject: [EmbeddedBus] },
            {
              provide: CHANNEL_TRANSPORT,
              useFactory: (bus: EmbeddedBus, server: EmbeddedServer, client: EmbeddedClient) => new EmbeddedChannelTransport(bus, server, client),
              inject: [EmbeddedBus, EmbeddedServer, EmbeddedClient],
            },
          ]
        : [
            {
              provide: CHANNEL_TRANSPORT,
              useFactory: (logger: Logger) =>
                new KafkaChannelTransport(
                  {
                    brokers: config.brokers,
                    clientId: config.clientId,
                    topics: { partitions: config.partitions, replicationFactor: config.replicationFactor, ...(config.retentionMs === undefined ? {} : { retentionMs: config.retentionMs }) },
                    compression: config.compression,
                    // sslCaFile is already absolute (resolved against the config's folder).
                    ...kafkaSecurityOptions(config.security, '/'),
                    ...config.consumer,
                    logLevel: logLevel.ERROR,
                  },
                  logger.child({ component: 'kafka' }),
                ),
              inject: [SLUICE_LOGGER],
            },
          ];
    return {
      module: TransportModule,
      global: true,
      providers,
      exports: config.kind === 'embedded' ? [CHANNEL_TRANSPORT, EmbeddedServer, EmbeddedBus] : [CHANNEL_TRANSPORT],
    };
  }
}
