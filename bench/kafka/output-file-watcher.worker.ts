// Worker thread of OutputFileWatcher: polls one file, counts the newlines appended past an offset,
// and notes when the count changed. It runs in its own thread so that its clock readings do not
// wait for the event loop of the pipeline being measured (which shares the process).
import { closeSync, fstatSync, openSync, readSync } from 'node:fs';
import { parentPort, workerData } from 'node:worker_threads';
import type { WatchRequest, WatchMessage } from './output-file-watcher.js';

const CHUNK_BYTES = 4 * 1024 * 1024;
const request = workerData as WatchRequest;
const port = parentPort!;
const post = (message: WatchMessage) => port.postMessage(message);

let fd: number | null = null;
let offset = request.fromOffset;
let lines = 0;
const at: number[] = [];
const counts: number[] = [];
const chunk = Buffer.allocUnsafe(CHUNK_BYTES);
const deadline = Date.now() + request.timeoutMs;
let stopped = false;

port.on('message', (message: unknown) => {
  if (message === 'stop') stopped = true;
});

/** Reads what was appended since the last poll; returns false once the file is not there yet. */
function catchUp(): boolean {
  if (fd === null) {
    try {
      fd = openSync(request.path, 'r');
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'ENOENT') return false;
      throw error;
    }
  }
  const size = fstatSync(fd).size;
  while (offset < size) {
    const read = readSync(fd, chunk, 0, Math.min(CHUNK_BYTES, size - offset), offset);
    if (read === 0) break;
    offset += read;
    const data = chunk.subarray(0, read);
    for (let i = data.indexOf(10); i !== -1; i = data.indexOf(10, i + 1)) lines++;
  }
  return true;
}

function poll(): void {
  try {
    if (stopped) return finish({ kind: 'stopped', lines });
    const before = lines;
    catchUp();
    const now = Date.now();
    if (lines > before) {
      at.push(now);
      counts.push(lines);
    }
    if (lines >= request.targetLines) return finish({ kind: 'done', lines, samples: { at, lines: counts } });
    if (now > deadline) return finish({ kind: 'timeout', lines });
    setTimeout(poll, request.pollMs);
  } catch (error) {
    finish({ kind: 'error', message: error instanceof Error ? error.message : String(error) });
  }
}

function finish(message: WatchMessage): void {
  if (fd !== null) closeSync(fd);
  post(message);
}

poll();
