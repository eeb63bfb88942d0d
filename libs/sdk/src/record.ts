/** Any value that survives a JSON round trip: what travels between stages on every transport. */
export type JsonValue = string | number | boolean | null | JsonValue[] | { [key: string]: JsonValue };

/** Where a record came from. Set by the runtime from what the source reported; read-only to plugins. */
export interface RecordOrigin {
  /** Pipeline name. */
  readonly pipeline: string;
  /** Source plugin name, e.g. `file`. */
  readonly source: string;
  /** The source's ordering lane (file path, Kafka partition, ...), when it has one. */
  readonly lane?: string;
  /** The position of the record inside its lane (line number, offset, sequence number, ...). */
  readonly offset?: JsonValue;
}

/** The envelope every stage sees. Treat it as immutable: return new objects from transforms. */
export interface SluiceRecord<V = unknown> {
  /** Partitioning / upsert key, when the record has one. Records with the same key keep their order. */
  readonly key: string | null;
  /** The payload (JSON-serialisable). */
  readonly value: V;
  /** String headers (metadata that is not part of the payload). */
  readonly headers: Readonly<Record<string, string>>;
  /** Event time, epoch milliseconds. */
  readonly timestamp: number;
  /** Where the record came from; used for metadata and dead-letter reports. */
  readonly origin: RecordOrigin;
}

/**
 * The position of a record inside its source: a `lane` (one ordered stream: a file, a partition,
 * a generator sequence) and an `offset` inside it. The runtime commits, per lane, the offset of the
 * last record for which it and every earlier record of that lane was acknowledged or dead-lettered.
 */
export interface SourcePosition {
  readonly lane: string;
  readonly offset: JsonValue;
}

/** The committed positions of a source: lane → offset of the last fully handled record. */
export type Checkpoint = Readonly<Record<string, JsonValue>>;

/** What a source returns from `read()`. The runtime completes it into a {@link SluiceRecord}. */
export interface SourceRecord<V = unknown> {
  readonly value: V;
  readonly key?: string | null;
  readonly headers?: Record<string, string>;
  /** Event time, epoch ms; defaults to the time the runtime received the record. */
  readonly timestamp?: number;
  /** Position to commit once the record is handled. Records without one are never replayed. */
  readonly position?: SourcePosition;
  /**
   * Set when the source could read the input but not make a record of it (a malformed CSV line,
   * broken JSON). The runtime sends it straight to the dead-letter destination with this reason,
   * then commits its position like any other record: nothing is lost, nothing blocks.
   */
  readonly failure?: string;
}
