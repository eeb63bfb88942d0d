import type { JsonValue } from '@sluice/sdk';
import type { Logger } from 'pino';
import type { JobQueryOutput } from '#runtime';
import { bucketWidth, resolveWindow, runQuery, toRestBody, type QueryOutcome, type QueryRegistry } from '#query';
import type { JobTask } from './job-task.js';
import { displayUrl, postJson, writeFileAtomically } from './query-output.js';

/** A short summary of a query result: rows, or series and points. */
function sizeOf(outcome: QueryOutcome): Record<string, number> {
  if (outcome.kind === 'table') return { rows: outcome.rows.length };
  return { series: outcome.series.length, points: outcome.series.reduce((sum, s) => sum + s.points.length, 0) };
}

/**
 * A job that runs a named query over its default range (`rangeMs` up to now, bucketed as the REST
 * API does without parameters) and ships the result, the same JSON as GET /api/queries/<name>: to
 * a file (atomically), to a URL (POST; a non-2xx answer fails the run) and/or to the log.
 */
export class QueryTask implements JobTask {
  readonly kind = 'query';
  readonly description: string;

  constructor(
    private readonly job: string,
    private readonly query: string,
    private readonly to: JobQueryOutput,
    private readonly registry: QueryRegistry,
    private readonly logger: Logger,
  ) {
    const targets = [to.file ? `to ${to.file}` : '', to.url ? `to ${displayUrl(to.url)}` : '', to.log ? 'to the log' : ''].filter((t) => t !== '');
    this.description = `run query "${query}" and send the result ${targets.join(', ')}`;
  }

  check(): void {
    this.registry.require(this.query);
  }

  async run(signal: AbortSignal): Promise<JsonValue> {
    const query = this.registry.require(this.query);
    await this.registry.whenStarted(query.pipeline, signal);
    const window = resolveWindow({}, query.rangeMs);
    const intervalMs = bucketWidth(window, undefined);
    const outcome = await runQuery(this.registry.queryable(query.pipeline), query, this.registry.datasetOf(query), { ...window, intervalMs }, [], `job "${this.job}" (query "${query.name}")`);
    signal.throwIfAborted();
    const body = toRestBody(query.name, outcome);
    const text = JSON.stringify(body);
    const summary: Record<string, JsonValue> = { query: query.name, ...sizeOf(outcome) };
    const problems: string[] = [];
    if (this.to.file) {
      try {
        await writeFileAtomically(this.to.file, text);
        summary.file = this.to.file;
      } catch (error) {
        problems.push((error as Error).message);
      }
    }
    if (this.to.url) {
      try {
        summary.status = await postJson(this.to.url, this.to.headers, text, signal);
        summary.url = displayUrl(this.to.url);
      } catch (error) {
        if (signal.aborted) throw error;
        problems.push((error as Error).message);
      }
    }
    if (this.to.log) this.logger.info({ job: this.job, query: query.name, result: body }, `job ${this.job}: query result`);
    if (problems.length > 0) throw new Error(problems.join('; '));
    return summary;
  }
}
