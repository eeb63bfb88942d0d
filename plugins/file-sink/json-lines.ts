import { describeError, RecordError, type SluiceRecord } from '@sluice/sdk';

export type LineFormat = 'envelope' | 'value';

export interface EncodedLines {
  /** The lines of the records that could be encoded, each ending in "\n", in batch order. */
  readonly text: string;
  /** Records without a JSON form (a BigInt, a cycle), with the reason. */
  readonly failed: Array<{ index: number; error: RecordError }>;
}

/**
 * One JSON document per line. JSON.stringify escapes line breaks inside strings, so a record can
 * never span two lines. An `undefined` value is written as null (JSON has no undefined).
 */
export function encodeLines(batch: readonly SluiceRecord[], format: LineFormat): EncodedLines {
  let text = '';
  const failed: Array<{ index: number; error: RecordError }> = [];
  for (let index = 0; index < batch.length; index++) {
    const record = batch[index];
    const document =
      format === 'value'
        ? (record.value ?? null)
        : { key: record.key, value: record.value ?? null, headers: record.headers, timestamp: record.timestamp, origin: record.origin };
    let line: string | undefined;
    try {
      line = JSON.stringify(document);
    } catch (error) {
      failed.push({ index, error: new RecordError(`record has no JSON form: ${describeError(error)}`, { retryable: false }) });
      continue;
    }
    if (line === undefined) {
      failed.push({ index, error: new RecordError(`record value of type ${typeof record.value} has no JSON form`, { retryable: false }) });
      continue;
    }
    text += `${line}\n`;
  }
  return { text, failed };
}
