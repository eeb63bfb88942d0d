/**
 * Which host of those running one config does the work that must happen once (scheduled jobs):
 * the leader. On one host (the embedded transport) it is always this one; over Kafka it is the
 * member of a consumer group that holds its topic's only partition (see KafkaGroupLeadership).
 */
export interface Leadership {
  /** Whether this host leads now. */
  readonly isLeader: boolean;
  readonly details: Record<string, unknown>;
  /** Takes part; resolves once the first decision is known (or the wait for it timed out). */
  start(): Promise<void>;
  /** Leaves: another host takes over at once. */
  stop(): Promise<void>;
  /** Calls `listener` with each change of `isLeader`. */
  onChange(listener: (isLeader: boolean) => void): void;
}

/** The only host there is: always the leader. */
export class SoleLeadership implements Leadership {
  readonly isLeader = true;
  readonly details = { kind: 'sole' };

  async start(): Promise<void> {}

  async stop(): Promise<void> {}

  onChange(): void {}
}
