import type { SourceRecord } from '@sluice/sdk';
import type { FileOffset } from './file-position.js';
import { isBlank, isJsonObject, jsonTypeName, oversizedProblem, type FileReader, type ReadSession } from './file-reader.js';
import { fileFailure, fileRecord } from './file-records.js';
import { LineReader } from './line-reader.js';

/** JSON Lines: one object per line. Blank lines are skipped; anything else that is not an object is a failure. */
export class JsonlReader implements FileReader {
  private readonly lines: LineReader;
  progress: FileOffset | undefined;

  constructor(private readonly session: ReadSession) {
    this.progress = session.resume;
    this.lines = new LineReader(session.handle, {
      start: session.resume?.byte ?? 0,
      firstLine: (session.resume?.line ?? 0) + 1,
      limit: session.size,
      final: session.final,
      maxLineBytes: session.maxLineBytes,
    });
  }

  async read(max: number): Promise<SourceRecord[]> {
    const out: SourceRecord[] = [];
    const session = this.session;
    while (out.length < max) {
      const line = await this.lines.next();
      if (line === null) break;
      const offset: FileOffset = { line: line.number, byte: line.end, ...session.identity };
      this.progress = offset;
      if (line.oversized) {
        out.push(fileFailure(session, line.number, offset, line.text, oversizedProblem(line.bytes, session.maxLineBytes)));
        continue;
      }
      if (isBlank(line.text)) continue;
      let value: unknown;
      try {
        value = JSON.parse(line.text);
      } catch (error) {
        out.push(fileFailure(session, line.number, offset, line.text, `invalid JSON: ${(error as Error).message}`));
        continue;
      }
      if (isJsonObject(value)) out.push(fileRecord(session, line.number, offset, value));
      else out.push(fileFailure(session, line.number, offset, line.text, `expected a JSON object, found ${jsonTypeName(value)}`));
    }
    return out;
  }
}
