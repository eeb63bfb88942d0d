import { EmbeddedBus } from './embedded-bus.js';
import { EmbeddedChannelTransport } from './embedded-channel-transport.js';
import { EmbeddedClient } from './embedded-client.js';
import { EmbeddedServer } from './embedded-server.js';

/**
 * An embedded transport outside a Nest application (tests, benchmarks, tools): the same server and
 * client classes the host registers as its microservice strategy and client.
 */
export function createEmbeddedTransport(): { transport: EmbeddedChannelTransport; server: EmbeddedServer; client: EmbeddedClient; bus: EmbeddedBus } {
  const bus = new EmbeddedBus();
  const server = new EmbeddedServer(bus);
  const client = new EmbeddedClient({ bus });
  server.listen(() => undefined);
  return { transport: new EmbeddedChannelTransport(bus, server, client), server, client, bus };
}
