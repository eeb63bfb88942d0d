import { RecordError, type EncodedBatch, type StreamEncoder } from '@sluice/sdk';
import { toJsonText } from './json-text.js';

/** Encodes a batch value by value, each JSON text put in place by `place`; values without a JSON form are reported. */
function encodeEach(values: readonly unknown[], place: (json: string) => string): EncodedBatch {
  let text = '';
  const failed: Array<{ index: number; error: RecordError }> = [];
  values.forEach((value, index) => {
    const json = toJsonText(value);
    if (json instanceof RecordError) failed.push({ index, error: json });
    else text += place(json);
  });
  return { data: Buffer.from(text, 'utf8'), failed };
}

/** JSON Lines: one value per line, each ending in `\n`; parts can be appended to each other. */
export class JsonLinesEncoder implements StreamEncoder {
  encode(values: readonly unknown[]): EncodedBatch {
    return encodeEach(values, (json) => `${json}\n`);
  }

  finish(): Buffer {
    return Buffer.alloc(0);
  }
}

/** One JSON array holding every value, one element per line; `finish` closes it. */
export class JsonArrayEncoder implements StreamEncoder {
  private opened = false;

  encode(values: readonly unknown[], atStart: boolean): EncodedBatch {
    if (atStart) this.opened = false;
    return encodeEach(values, (json) => {
      const separator = this.opened ? ',\n' : '[\n';
      this.opened = true;
      return separator + json;
    });
  }

  finish(): Buffer {
    return Buffer.from(this.opened ? '\n]\n' : '[]\n', 'utf8');
  }
}
