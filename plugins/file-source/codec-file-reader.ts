import type { Codec, DecodedItem, SourceRecord, StreamDecoder } from '@sluice/sdk';
import type { FileOffset } from './file-position.js';
import { isJsonObject, jsonTypeName, type FileReader, type ReadSession } from './file-reader.js';
import { fileFailure, fileRecord } from './file-records.js';

/** Bytes per read from disk. */
const CHUNK_BYTES = 65_536;

/**
 * Reads one file through a codec, chunk by chunk, holding one chunk's items at most.
 *
 * - `byte` codecs (csv, jsonl) resume at the byte after the last handled item: the file's prelude
 *   (a CSV header row) is decoded again from the start, then the decoder skips to that byte. A pass
 *   over a file that is not final stops at the last complete item (a partial last line waits).
 * - `item` codecs (json) decode the whole file again and skip the items up to the last handled
 *   index; the last item carries `done`, so a finished file is not read again.
 *
 * Every value must be an object (it becomes a record); other values and the codec's failures
 * become failures naming the file and the line.
 */
export class CodecFileReader implements FileReader {
  progress: FileOffset | undefined;
  private readonly decoder: StreamDecoder;
  private readonly chunk = Buffer.allocUnsafe(CHUNK_BYTES);
  private readonly queue: DecodedItem[] = [];
  private readonly byItem: boolean;
  /** Items up to this index (item codecs) or ending at or before this byte (byte codecs) were handled in an earlier pass. */
  private readonly handledIndex: number;
  private readonly handledByte: number;
  private readPosition = 0;
  /** Still decoding the prelude before skipping to where the last pass stopped. */
  private inPrelude: boolean;
  /** No more items in this pass. */
  private ended = false;
  private seen = 0;
  private handedOut = 0;

  constructor(
    private readonly session: ReadSession,
    codec: Codec,
  ) {
    this.progress = session.resume;
    this.byItem = codec.resume === 'item';
    this.handledIndex = this.byItem ? (session.resume?.index ?? -1) : -1;
    this.handledByte = this.byItem ? 0 : (session.resume?.byte ?? 0);
    this.decoder = this.byItem
      ? codec.decoder({ maxItemBytes: session.maxJsonBytes, maxItemBytesName: 'maxJsonBytes', maxFailureBytes: session.maxLineBytes })
      : codec.decoder({ maxItemBytes: session.maxLineBytes, maxItemBytesName: 'maxLineBytes' });
    this.inPrelude = this.handledByte > 0;
    this.skipPrelude();
  }

  async read(max: number): Promise<SourceRecord[]> {
    const out: SourceRecord[] = [];
    if (this.byItem && this.session.size > this.session.maxJsonBytes) return this.tooBig();
    while (out.length < max) {
      // An item codec's last item is held back until the end shows that it is the last one.
      if (this.queue.length > (this.byItem && !this.ended ? 1 : 0)) {
        out.push(this.record(this.queue.shift() as DecodedItem));
        continue;
      }
      if (this.ended) break;
      await this.decodeMore();
    }
    if (this.queue.length === 0 && this.ended) this.settle();
    return out;
  }

  /** Reads and decodes the next chunk (or ends the stream when the pass reached its limit). */
  private async decodeMore(): Promise<void> {
    const wanted = Math.min(CHUNK_BYTES, this.session.size - this.readPosition);
    const bytesRead = wanted > 0 ? (await this.session.handle.read(this.chunk, 0, wanted, this.readPosition)).bytesRead : 0;
    if (bytesRead === 0) {
      if (this.session.final) this.enqueue(this.decoder.end());
      this.ended = true;
      return;
    }
    this.readPosition += bytesRead;
    this.enqueue(this.decoder.push(this.chunk.subarray(0, bytesRead)));
    this.skipPrelude();
  }

  /** Once the prelude is known, jumps to where the last pass stopped (when still before it). */
  private skipPrelude(): void {
    const start = this.decoder.dataStart;
    if (!this.inPrelude || start === undefined) return;
    this.inPrelude = false;
    const resume = this.session.resume as FileOffset;
    if (this.readPosition < resume.byte && start.byte <= resume.byte) {
      this.decoder.skipTo({ byte: resume.byte, line: resume.line + 1 });
      this.readPosition = resume.byte;
    }
  }

  private enqueue(items: readonly DecodedItem[]): void {
    for (const item of items) {
      this.seen = Math.max(this.seen, item.index + 1);
      if (this.byItem ? item.index <= this.handledIndex : item.end <= this.handledByte) continue;
      this.queue.push(item);
    }
  }

  private record(item: DecodedItem): SourceRecord {
    const { session } = this;
    const offset: FileOffset = this.byItem
      ? { line: item.line, byte: session.size, index: item.index, done: this.ended && this.queue.length === 0, ...session.identity }
      : { line: item.lastLine, byte: item.end, ...session.identity };
    this.progress = offset;
    this.handedOut++;
    if (item.kind === 'failure') return fileFailure(session, item.line, offset, item.raw, item.problem);
    if (!isJsonObject(item.value)) return fileFailure(session, item.line, offset, item.text, `expected a JSON object, found ${jsonTypeName(item.value)}`);
    return fileRecord(session, item.line, offset, item.value);
  }

  /** Everything decoded was handed out: the progress covers what held no item (blank lines, a header), or marks a document done. */
  private settle(): void {
    const { session } = this;
    if (this.byItem) {
      if (this.handedOut > 0) return;
      // Nothing (left) to hand out: remember the file as read to its end, so it is not read again.
      this.progress = { line: session.resume?.line ?? 1, byte: session.size, index: Math.max(this.handledIndex, this.seen - 1), done: true, ...session.identity };
      return;
    }
    const settled = this.decoder.settled;
    if (this.progress === undefined || settled.byte > this.progress.byte) this.progress = { line: settled.line - 1, byte: settled.byte, ...session.identity };
  }

  /** A document file above maxJsonBytes: one failure, and the file counts as done. */
  private async tooBig(): Promise<SourceRecord[]> {
    if (this.ended) return [];
    this.ended = true;
    const { session } = this;
    const head = Buffer.alloc(Math.min(session.size, session.maxLineBytes));
    await session.handle.read(head, 0, head.length, 0);
    const offset: FileOffset = { line: 1, byte: session.size, index: 0, done: true, ...session.identity };
    this.progress = offset;
    if (this.handledIndex >= 0) return [];
    return [fileFailure(session, 1, offset, head.toString('utf8'), `file is ${session.size} bytes, more than maxJsonBytes (${session.maxJsonBytes}); convert it to JSON Lines (.jsonl) to stream it`)];
  }
}
