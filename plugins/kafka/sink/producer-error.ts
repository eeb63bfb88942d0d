import { describeError, RecordError } from '@sluice/sdk';
import { kafkaErrorType } from '../connection/kafka-client.js';

/**
 * Broker answers caused by the records themselves: they come back identically on every attempt.
 * The runtime then writes the records one by one and dead-letters only those that fail alone.
 * - MESSAGE_TOO_LARGE / RECORD_LIST_TOO_LARGE: above the topic's max.message.bytes;
 * - INVALID_RECORD: refused by broker validation (e.g. a record without key on a compacted topic);
 * - INVALID_TIMESTAMP: outside message.timestamp.before/after.max.ms (Kafka 4: one hour ahead).
 */
const DATA_ERRORS: ReadonlySet<string> = new Set(['MESSAGE_TOO_LARGE', 'RECORD_LIST_TOO_LARGE', 'INVALID_RECORD', 'INVALID_TIMESTAMP']);

/**
 * Whether a failed send is worth retrying. Everything that is not caused by the data is: kafkajs's
 * retriable errors after its own retries ran out (KafkaJSNumberOfRetriesExceeded — which kafkajs
 * itself marks `retriable: false`), lost connections, request timeouts, leader elections, unknown
 * topics, and also authorisation or configuration errors, which heal once an operator fixes them:
 * the runtime keeps retrying (the stage turns degraded) instead of dead-lettering every record.
 */
export function isRetryableSendError(error: unknown): boolean {
  const type = kafkaErrorType(error);
  return type === undefined || !DATA_ERRORS.has(type);
}

/** The error a failed write is reported with: what, where, the Kafka error type, and whether to retry. */
export function sendError(error: unknown, topic: string, count: number, scrub: (text: string) => string): RecordError {
  const type = kafkaErrorType(error);
  const name = error instanceof Error ? error.name : undefined;
  const retryable = isRetryableSendError(error);
  const label = type ?? (name && name !== 'Error' ? name : undefined);
  return new RecordError(`kafka sink: writing ${count} record${count === 1 ? '' : 's'} to topic "${topic}" failed${label ? ` [${label}]` : ''}: ${scrub(describeError(error))}`, {
    retryable,
    cause: error,
    details: { topic, ...(type ? { type } : {}), retryable },
  });
}
