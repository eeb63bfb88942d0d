import type { SluiceRecord, StateShare } from '@sluice/sdk';

/**
 * The header that makes a record on a repartition channel one share of a record: JSON
 * `[state key, primary, the record's own key]`. The channel message is keyed by the state key (so
 * all shares of one key meet in one partition); the record gets its own key back when it is read.
 */
export const STATE_SHARE_HEADER = 'sluice.state-share';

/** The share of `record` for `key`, as it goes on the repartition channel. */
export function shareCopy(record: SluiceRecord, key: string, primary: boolean): SluiceRecord {
  return { ...record, key, headers: { ...record.headers, [STATE_SHARE_HEADER]: JSON.stringify([key, primary, record.key]) } };
}

/**
 * The share a record read from a repartition channel is, with the record as it was before it was
 * shared (own key, header gone); no share for a record that went whole (it touches no state key).
 */
export function readShare(record: SluiceRecord): { readonly record: SluiceRecord; readonly share: StateShare | null } {
  const header = record.headers[STATE_SHARE_HEADER];
  if (header === undefined) return { record, share: null };
  const [key, primary, ownKey] = JSON.parse(header) as [string, boolean, string | null];
  const headers = { ...record.headers };
  delete headers[STATE_SHARE_HEADER];
  return { record: { ...record, key: ownKey, headers }, share: { key, primary } };
}
