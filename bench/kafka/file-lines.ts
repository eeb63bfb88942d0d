import { closeSync, openSync, readSync } from 'node:fs';

const CHUNK_BYTES = 8 * 1024 * 1024;

/**
 * Calls `onLine(text, index)` for every complete line of `path` from byte `from` on (index 0 is the
 * first line after `from`), reading in chunks so that files bigger than a string can hold are fine.
 * A last line without a newline is not complete and is left out. Returns the number of lines.
 */
export function forEachLine(path: string, from: number, onLine: (text: string, index: number) => void): number {
  const fd = openSync(path, 'r');
  try {
    const chunk = Buffer.allocUnsafe(CHUNK_BYTES);
    let carry: Buffer = Buffer.alloc(0);
    let position = from;
    let index = 0;
    for (;;) {
      const read = readSync(fd, chunk, 0, CHUNK_BYTES, position);
      if (read === 0) return index;
      position += read;
      const data = carry.length > 0 ? Buffer.concat([carry, chunk.subarray(0, read)]) : chunk.subarray(0, read);
      let start = 0;
      for (let end = data.indexOf(10, start); end !== -1; end = data.indexOf(10, start)) {
        onLine(data.toString('utf8', start, end), index++);
        start = end + 1;
      }
      // Copied: `chunk` is overwritten by the next read.
      carry = Buffer.from(data.subarray(start));
    }
  } finally {
    closeSync(fd);
  }
}
