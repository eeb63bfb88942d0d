/**
 * Where keyed state survives its host: the last value written under each key, readable by any
 * host of the deployment (Kafka: a compacted topic; embedded: memory of the one process).
 */
export interface StateChangelog {
  readonly name: string;
  /** Creates the changelog where needed and starts reading it. */
  start(): Promise<void>;
  /** The last value written under `key` by anyone before this call; undefined when none was. */
  read(key: string, signal?: AbortSignal): Promise<string | undefined>;
  /** Resolves once the value is stored (Kafka: by all in-sync replicas). */
  write(key: string, value: string): Promise<void>;
  stop(): Promise<void>;
}

/** A changelog in this process's memory: for the embedded transport, where one process holds every partition. */
export class MemoryStateChangelog implements StateChangelog {
  private readonly values = new Map<string, string>();

  constructor(readonly name: string) {}

  async start(): Promise<void> {}

  async read(key: string): Promise<string | undefined> {
    return this.values.get(key);
  }

  async write(key: string, value: string): Promise<void> {
    this.values.set(key, value);
  }

  async stop(): Promise<void> {}
}
