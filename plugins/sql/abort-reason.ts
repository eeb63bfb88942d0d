import { describeError } from '@sluice/sdk';

/** Why a signal aborted, for messages: its reason, or `aborted` when it gave none. */
export function describeAbortReason(reason: unknown): string {
  return reason === undefined ? 'aborted' : describeError(reason);
}
