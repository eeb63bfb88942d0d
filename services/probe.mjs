#!/usr/bin/env node
// probe.mjs - dependency-free readiness probes for the test services (Node built-ins only).
//
//   node services/probe.mjs kafka     127.0.0.1:9092[,host2:9092] [--wait SECONDS] [--pid PID]
//   node services/probe.mjs cassandra 127.0.0.1:9042[,host2]      [--wait SECONDS] [--pid PID]
//
// kafka:     sends a real Kafka Metadata request (API key 3, v1, no topics) and requires at least one
//            broker in the answer, i.e. the broker has finished starting and serves clients.
// cassandra: speaks the CQL native protocol v4: STARTUP, then QUERY
//            "SELECT release_version FROM system.local" and requires a row.
//            A server that demands authentication (AUTHENTICATE) counts as answering.
//
// Without --wait a single attempt is made per address. With --wait the probe retries every 250 ms
// for up to SECONDS; with --pid it gives up as soon as that process has exited.
// Exit 0 and one line on stdout ("<address> <detail>") when an address answers; otherwise exit 1
// with the last error of every address on stderr. Exit 2 on bad usage.
import net from 'node:net';
import { pathToFileURL } from 'node:url';

const CONNECT_TIMEOUT_MS = 2000;
const ANSWER_TIMEOUT_MS = 5000;
const RETRY_MS = 250;
const MAX_ANSWER_BYTES = 16 * 1024 * 1024; // a probe answer is tiny; more means another protocol
const DEFAULT_PORT = { kafka: 9092, cassandra: 9042 };

/** Splits "h1:p1,h2,[::1]:p3" into {host, port} pairs. */
export function parseAddresses(list, defaultPort) {
  return String(list)
    .split(',')
    .map((s) => s.trim())
    .filter(Boolean)
    .map((entry) => {
      const bracketed = /^\[([^\]]+)\](?::(\d+))?$/.exec(entry);
      if (bracketed) return { host: bracketed[1], port: Number(bracketed[2] ?? defaultPort) };
      const parts = entry.split(':');
      if (parts.length > 2) return { host: entry, port: defaultPort }; // bare IPv6 without port
      const port = parts[1] === undefined ? defaultPort : Number(parts[1]);
      if (!Number.isInteger(port) || port <= 0 || port > 65535) {
        throw new Error(`invalid port in address "${entry}"`);
      }
      return { host: parts[0], port };
    });
}

/**
 * Opens a TCP connection, writes `request`, and resolves with the first complete answer frame.
 * frameLength(buffer) -> total frame length, undefined while too short to tell, null if malformed.
 */
function exchange(host, port, request, frameLength) {
  return new Promise((resolve, reject) => {
    const socket = net.connect({ host, port });
    let buffer = Buffer.alloc(0);
    const fail = (error) => {
      socket.destroy();
      reject(error);
    };
    let connected = false;
    socket.setTimeout(CONNECT_TIMEOUT_MS, () =>
      fail(new Error(connected ? `no answer within ${ANSWER_TIMEOUT_MS} ms` : `no connection within ${CONNECT_TIMEOUT_MS} ms`)),
    );
    socket.once('connect', () => {
      connected = true;
      socket.setTimeout(ANSWER_TIMEOUT_MS);
      socket.write(request);
    });
    socket.on('data', (chunk) => {
      buffer = Buffer.concat([buffer, chunk]);
      const length = frameLength(buffer);
      if (length === null) {
        fail(new Error('the answer is not framed like the expected protocol (another kind of server?)'));
        return;
      }
      if (length !== undefined && buffer.length >= length) {
        socket.destroy();
        resolve(buffer.subarray(0, length));
      }
    });
    socket.once('error', fail);
    socket.once('end', () => fail(new Error('connection closed before a complete answer')));
  });
}

/** Sequential reader over a big-endian protocol buffer. */
class Reader {
  constructor(buffer, offset = 0) {
    this.buffer = buffer;
    this.offset = offset;
  }
  int8() { return this.buffer.readInt8((this.offset += 1) - 1); }
  int16() { return this.buffer.readInt16BE((this.offset += 2) - 2); }
  int32() { return this.buffer.readInt32BE((this.offset += 4) - 4); }
  bytes(length) {
    const out = this.buffer.subarray(this.offset, this.offset + length);
    if (out.length !== length) throw new Error('truncated answer');
    this.offset += length;
    return out;
  }
  string16() {
    const length = this.int16();
    return length < 0 ? null : this.bytes(length).toString('utf8');
  }
}

// ------------------------------------------------------------------------------------------ Kafka
export async function probeKafka(host, port) {
  const clientId = Buffer.from('sluice-probe');
  const body = Buffer.alloc(2 + 2 + 4 + 2 + clientId.length + 4);
  let o = 0;
  o = body.writeInt16BE(3, o); // api_key = Metadata
  o = body.writeInt16BE(1, o); // api_version = 1 (accepted by Kafka 0.10 .. 4.x)
  o = body.writeInt32BE(1, o); // correlation_id
  o = body.writeInt16BE(clientId.length, o);
  o += clientId.copy(body, o);
  body.writeInt32BE(0, o); // topics: empty array = no topic metadata, brokers only
  const size = Buffer.alloc(4);
  size.writeInt32BE(body.length);
  const answer = await exchange(host, port, Buffer.concat([size, body]), (b) => {
    if (b.length < 4) return undefined;
    const length = b.readInt32BE(0);
    return length < 4 || length > MAX_ANSWER_BYTES ? null : 4 + length; // null: not a Kafka broker
  });
  const r = new Reader(answer, 4);
  if (r.int32() !== 1) throw new Error('answer has the wrong correlation id (not a Kafka broker?)');
  const brokerCount = r.int32();
  if (brokerCount < 0 || brokerCount > 10000) throw new Error('malformed Metadata answer (not a Kafka broker?)');
  const brokers = [];
  for (let i = 0; i < brokerCount; i++) {
    const nodeId = r.int32();
    const brokerHost = r.string16();
    const brokerPort = r.int32();
    r.string16(); // rack
    brokers.push(`${nodeId}@${brokerHost}:${brokerPort}`);
  }
  const controllerId = r.int32();
  if (brokers.length === 0) throw new Error('Metadata answer lists no broker yet (still starting)');
  return `kafka ok: brokers ${brokers.join(' ')}, controller ${controllerId}`;
}

// -------------------------------------------------------------------------------------- Cassandra
const CQL_VERSION = 0x04;
const OP = { ERROR: 0x00, STARTUP: 0x01, READY: 0x02, AUTHENTICATE: 0x03, QUERY: 0x07, RESULT: 0x08 };

function cqlFrame(stream, opcode, body) {
  const header = Buffer.alloc(9);
  header.writeUInt8(CQL_VERSION, 0);
  header.writeUInt8(0, 1); // flags: no compression, no tracing
  header.writeInt16BE(stream, 2);
  header.writeUInt8(opcode, 4);
  header.writeInt32BE(body.length, 5);
  return Buffer.concat([header, body]);
}
/** Length of the first CQL frame in b; undefined = incomplete, null = not a CQL answer frame. */
function cqlFrameLength(b) {
  if (b.length >= 1 && (b[0] & 0x80) === 0) return null; // answers have the direction bit set
  if (b.length < 9) return undefined;
  const length = b.readInt32BE(5);
  return length < 0 || length > MAX_ANSWER_BYTES ? null : 9 + length;
}

function cqlString(s) {
  const bytes = Buffer.from(s, 'utf8');
  const length = Buffer.alloc(2);
  length.writeUInt16BE(bytes.length);
  return Buffer.concat([length, bytes]);
}

function cqlError(frame) {
  const r = new Reader(frame, 9);
  const code = r.int32();
  return new Error(`CQL error 0x${code.toString(16)}: ${r.string16()}`);
}

/** Skips a CQL [option] type descriptor (protocol v4 section 4.2.5.2). */
function skipCqlType(r) {
  const id = r.int16() & 0xffff;
  if (id === 0x0000) r.string16(); // custom: class name
  else if (id === 0x0020 || id === 0x0022) skipCqlType(r); // list, set
  else if (id === 0x0021) { skipCqlType(r); skipCqlType(r); } // map
  else if (id === 0x0030) { // UDT
    r.string16(); r.string16();
    for (let n = r.int16(); n > 0; n--) { r.string16(); skipCqlType(r); }
  } else if (id === 0x0031) { for (let n = r.int16(); n > 0; n--) skipCqlType(r); } // tuple
}

/** A CQL connection: STARTUP must precede QUERY on the same socket, so requests share one. */
function cqlSession(host, port) {
  return new Promise((resolve, reject) => {
    const socket = net.connect({ host, port });
    let buffer = Buffer.alloc(0);
    let waiting = null;
    const fail = (error) => {
      socket.destroy();
      if (waiting) waiting.reject(error);
      else reject(error);
    };
    let connected = false;
    socket.setTimeout(CONNECT_TIMEOUT_MS, () =>
      fail(new Error(connected ? `no answer within ${ANSWER_TIMEOUT_MS} ms` : `no connection within ${CONNECT_TIMEOUT_MS} ms`)),
    );
    socket.on('data', (chunk) => {
      buffer = Buffer.concat([buffer, chunk]);
      const length = cqlFrameLength(buffer);
      if (length === null) {
        fail(new Error('the answer is not a CQL frame (another kind of server?)'));
        return;
      }
      if (waiting && length !== undefined && buffer.length >= length) {
        const frame = buffer.subarray(0, length);
        buffer = buffer.subarray(length);
        const w = waiting;
        waiting = null;
        w.resolve(frame);
      }
    });
    socket.once('error', fail);
    socket.once('end', () => fail(new Error('connection closed before a complete answer')));
    socket.once('connect', () => {
      connected = true;
      socket.setTimeout(ANSWER_TIMEOUT_MS);
      resolve({
        request(frame) {
          return new Promise((res, rej) => {
            waiting = { resolve: res, reject: rej };
            socket.write(frame);
          });
        },
        close() { socket.destroy(); },
      });
    });
  });
}

export async function probeCassandra(host, port) {
  const session = await cqlSession(host, port);
  try {
    const options = Buffer.concat([Buffer.from([0, 1]), cqlString('CQL_VERSION'), cqlString('3.0.0')]);
    const started = await session.request(cqlFrame(0, OP.STARTUP, options));
    const startOp = started.readUInt8(4);
    if (startOp === OP.ERROR) throw cqlError(started);
    if (startOp === OP.AUTHENTICATE) return 'cassandra ok: CQL answers (authentication required, version not queried)';
    if (startOp !== OP.READY) throw new Error(`unexpected CQL opcode 0x${startOp.toString(16)} after STARTUP`);

    const text = Buffer.from('SELECT release_version FROM system.local', 'utf8');
    const query = Buffer.alloc(4 + text.length + 2 + 1);
    query.writeInt32BE(text.length, 0);
    text.copy(query, 4);
    query.writeUInt16BE(0x0001, 4 + text.length); // consistency ONE
    query.writeUInt8(0, 6 + text.length); // no query flags
    const result = await session.request(cqlFrame(1, OP.QUERY, query));
    const op = result.readUInt8(4);
    if (op === OP.ERROR) throw cqlError(result);
    if (op !== OP.RESULT) throw new Error(`unexpected CQL opcode 0x${op.toString(16)} after QUERY`);
    const r = new Reader(result, 9);
    if (r.int32() !== 0x0002) throw new Error('QUERY result is not a Rows result');
    const flags = r.int32();
    const columns = r.int32();
    if (flags & 0x0002) { const n = r.int32(); if (n > 0) r.bytes(n); } // paging state
    if (!(flags & 0x0004)) {
      const globalSpec = (flags & 0x0001) !== 0;
      if (globalSpec) { r.string16(); r.string16(); }
      for (let i = 0; i < columns; i++) {
        if (!globalSpec) { r.string16(); r.string16(); }
        r.string16();
        skipCqlType(r);
      }
    }
    if (r.int32() < 1) throw new Error('system.local returned no row');
    const length = r.int32();
    const version = length < 0 ? 'null' : r.bytes(length).toString('utf8');
    return `cassandra ok: release_version ${version}`;
  } finally {
    session.close();
  }
}

// ---------------------------------------------------------------------------------------- CLI
function alive(pid) {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return error.code === 'EPERM';
  }
}

async function main(argv) {
  const [service, list, ...rest] = argv;
  const probe = { kafka: probeKafka, cassandra: probeCassandra }[service];
  if (!probe || !list) {
    process.stderr.write('usage: probe.mjs kafka|cassandra ADDR[,ADDR...] [--wait SECONDS] [--pid PID]\n');
    return 2;
  }
  let waitSeconds = 0;
  let pid;
  for (let i = 0; i < rest.length; i++) {
    if (rest[i] === '--wait') waitSeconds = Number(rest[++i]);
    else if (rest[i] === '--pid') pid = Number(rest[++i]);
    else {
      process.stderr.write(`probe.mjs: unknown argument ${rest[i]}\n`);
      return 2;
    }
  }
  if (!Number.isFinite(waitSeconds) || waitSeconds < 0 || (pid !== undefined && !Number.isInteger(pid))) {
    process.stderr.write('probe.mjs: --wait needs seconds, --pid a process id\n');
    return 2;
  }
  let addresses;
  try {
    addresses = parseAddresses(list, DEFAULT_PORT[service]);
  } catch (error) {
    process.stderr.write(`probe.mjs: ${error.message}\n`);
    return 2;
  }
  const deadline = Date.now() + waitSeconds * 1000;
  const lastError = new Map();
  for (;;) {
    for (const { host, port } of addresses) {
      const name = host.includes(':') ? `[${host}]:${port}` : `${host}:${port}`;
      try {
        const detail = await probe(host, port);
        process.stdout.write(`${name} ${detail}\n`);
        return 0;
      } catch (error) {
        lastError.set(name, error.message);
      }
    }
    if (pid !== undefined && !alive(pid)) {
      lastError.set('process', `pid ${pid} has exited`);
      break;
    }
    if (Date.now() + RETRY_MS > deadline) break;
    await new Promise((resolve) => setTimeout(resolve, RETRY_MS));
  }
  for (const [name, message] of lastError) process.stderr.write(`${service} ${name}: ${message}\n`);
  return 1;
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  main(process.argv.slice(2)).then((code) => process.exit(code));
}
