// services/probe.mjs (the readiness probe of services.sh and services.ts) against fake servers:
// it must accept only real protocol answers, so that "something listens on the port" is never
// mistaken for a ready Kafka or Cassandra.
import { execFile } from 'node:child_process';
import net from 'node:net';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const probeScript = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..', 'services', 'probe.mjs');

interface ProbeRun {
  code: number;
  stdout: string;
  stderr: string;
}

function runProbe(...args: string[]): Promise<ProbeRun> {
  return new Promise((resolve) => {
    execFile(process.execPath, [probeScript, ...args], (error, stdout, stderr) => {
      const code = error ? (typeof error.code === 'number' ? error.code : 1) : 0;
      resolve({ code, stdout, stderr });
    });
  });
}

/** A loopback server that answers the first request with `reply(request)` (or closes when null). */
async function fakeServer(reply: (request: Buffer) => Buffer | null): Promise<{ port: number; close: () => Promise<void> }> {
  const server = net.createServer((socket) => {
    socket.once('data', (request) => {
      const answer = reply(request);
      if (answer === null) socket.destroy();
      else socket.write(answer);
    });
    socket.on('error', () => undefined);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as net.AddressInfo;
  return { port, close: () => new Promise<void>((resolve) => server.close(() => resolve())) };
}

/** A Kafka Metadata v1 answer listing the given brokers. */
function kafkaMetadataAnswer(correlationId: number, brokers: { id: number; host: string; port: number }[]): Buffer {
  const parts: Buffer[] = [];
  const int32 = (n: number) => {
    const b = Buffer.alloc(4);
    b.writeInt32BE(n);
    return b;
  };
  const str = (s: string | null) => {
    if (s === null) return Buffer.from([0xff, 0xff]);
    const b = Buffer.alloc(2);
    b.writeInt16BE(Buffer.byteLength(s));
    return Buffer.concat([b, Buffer.from(s)]);
  };
  parts.push(int32(correlationId), int32(brokers.length));
  for (const broker of brokers) parts.push(int32(broker.id), str(broker.host), int32(broker.port), str(null));
  parts.push(int32(brokers[0]?.id ?? -1), int32(0)); // controller id, no topics
  const body = Buffer.concat(parts);
  return Buffer.concat([int32(body.length), body]);
}

/** A CQL v4 ERROR frame answering any request. */
function cqlErrorFrame(code: number, message: string): Buffer {
  const text = Buffer.from(message);
  const body = Buffer.alloc(4 + 2 + text.length);
  body.writeInt32BE(code, 0);
  body.writeInt16BE(text.length, 4);
  text.copy(body, 6);
  const header = Buffer.from([0x84, 0, 0, 0, 0x00, 0, 0, 0, 0]);
  header.writeInt32BE(body.length, 5);
  return Buffer.concat([header, body]);
}

describe('services/probe.mjs', () => {
  it('accepts a Kafka Metadata answer that lists a broker', async () => {
    const server = await fakeServer((request) => {
      expect(request.readInt16BE(4)).toBe(3); // api key Metadata
      return kafkaMetadataAnswer(request.readInt32BE(8), [{ id: 7, host: '127.0.0.1', port: 9092 }]);
    });
    try {
      const result = await runProbe('kafka', `127.0.0.1:${server.port}`);
      expect(result).toMatchObject({ code: 0 });
      expect(result.stdout.trim()).toBe(`127.0.0.1:${server.port} kafka ok: brokers 7@127.0.0.1:9092, controller 7`);
    } finally {
      await server.close();
    }
  });

  it('rejects a Kafka that lists no broker yet, and a server that is not Kafka', async () => {
    const starting = await fakeServer((request) => kafkaMetadataAnswer(request.readInt32BE(8), []));
    const other = await fakeServer(() => Buffer.from('HTTP/1.1 400 Bad Request\r\n\r\n'));
    try {
      const notReady = await runProbe('kafka', `127.0.0.1:${starting.port}`);
      expect(notReady.code).toBe(1);
      expect(notReady.stderr).toContain('lists no broker yet');
      const notKafka = await runProbe('kafka', `127.0.0.1:${other.port}`);
      expect(notKafka.code).toBe(1);
      expect(notKafka.stderr).toContain('not framed like the expected protocol');
    } finally {
      await starting.close();
      await other.close();
    }
  });

  it('tries every address of a list and reports the one that answers', async () => {
    const server = await fakeServer((request) =>
      kafkaMetadataAnswer(request.readInt32BE(8), [{ id: 1, host: 'localhost', port: 1234 }]),
    );
    try {
      const result = await runProbe('kafka', `127.0.0.1:1,127.0.0.1:${server.port}`);
      expect(result.code).toBe(0);
      expect(result.stdout).toMatch(new RegExp(`^127\\.0\\.0\\.1:${server.port} kafka ok`));
    } finally {
      await server.close();
    }
  });

  it('reports the CQL error of a Cassandra that refuses the probe', async () => {
    const server = await fakeServer(() => cqlErrorFrame(0x000a, 'Invalid or unsupported protocol version'));
    try {
      const result = await runProbe('cassandra', `127.0.0.1:${server.port}`);
      expect(result.code).toBe(1);
      expect(result.stderr).toContain('CQL error 0xa: Invalid or unsupported protocol version');
    } finally {
      await server.close();
    }
  });

  it('fails for a closed port, and with --pid as soon as that process is gone', async () => {
    const closed = await runProbe('cassandra', '127.0.0.1:1');
    expect(closed.code).toBe(1);
    expect(closed.stderr).toContain('cassandra 127.0.0.1:1: connect ECONNREFUSED');
    // pid 2147483646 does not exist: --wait 60 must give up at once instead of waiting a minute
    const gone = await runProbe('kafka', '127.0.0.1:1', '--wait', '60', '--pid', '2147483646');
    expect(gone.code).toBe(1);
    expect(gone.stderr).toContain('pid 2147483646 has exited');
  });

  it('rejects bad usage with exit code 2', async () => {
    expect((await runProbe('redis', '127.0.0.1:6379')).code).toBe(2);
    expect((await runProbe('kafka', '127.0.0.1:notaport')).code).toBe(2);
    expect((await runProbe('kafka', '127.0.0.1:9092', '--wait', 'soon')).code).toBe(2);
  });
});
