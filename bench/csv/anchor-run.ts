// What an anchor load (the database's own bulk tool, same file, same run) measured.
export interface AnchorRun {
  /** Exactly what the anchor does. */
  readonly description: string;
  /** Wall time of the whole load (the client process from start to exit). */
  readonly seconds: number;
  /** Data rows of the file ÷ seconds. */
  readonly rowsPerSecond: number;
  /** Rows the table holds afterwards. */
  readonly storedRows: number;
}
