import { Inject, Injectable, Logger, NotFoundException, type OnApplicationBootstrap } from '@nestjs/common';
import { describeError, didYouMean, type DatasetDescription, type Queryable } from '@sluice/sdk';
import { SLUICE_RUNTIME } from '#health';
import type { NamedQueryConfig, SluiceRuntime } from '#runtime';
import { QueryUnavailableError } from './query-errors.js';
import { QUERY_OPTIONS, type QueryModuleOptions } from './query-options.js';
import { specProblems } from './query-spec.js';

/** A queryable sink of a running pipeline, with its datasets. */
export interface QueryableSink {
  readonly pipeline: string;
  readonly queryable: Queryable;
  readonly datasets: readonly DatasetDescription[];
}

/**
 * The named queries of the config, resolved to the Queryable of their pipeline's sink. Only the
 * SDK's queryable capability is used, so any sink that implements it can be queried.
 *
 * At startup (after the runtime started the pipelines) every named query is checked: its pipeline
 * runs, its sink is queryable, the dataset exists and has the columns the query names. Any problem
 * stops the pipelines and fails the startup with one message listing them all.
 */
@Injectable()
export class QueryRegistry implements OnApplicationBootstrap {
  private readonly logger = new Logger('QueryModule');
  private readonly byName: ReadonlyMap<string, NamedQueryConfig>;
  /** The dataset of each named query, as its sink described it at startup. */
  private readonly datasets = new Map<string, DatasetDescription>();
  private checked: Promise<void> | undefined;

  constructor(
    @Inject(QUERY_OPTIONS) private readonly options: QueryModuleOptions,
    @Inject(SLUICE_RUNTIME) private readonly runtime: SluiceRuntime,
  ) {
    this.byName = new Map(options.config.queries.map((q) => [q.name, q]));
  }

  /** The named queries, in config order. */
  get queries(): readonly NamedQueryConfig[] {
    return this.options.config.queries;
  }

  find(name: string): NamedQueryConfig | undefined {
    return this.byName.get(name);
  }

  /** The named query called `name`, or 404 naming the closest one. */
  require(name: string): NamedQueryConfig {
    const query = this.byName.get(name);
    if (query) return query;
    const names = [...this.byName.keys()];
    const suggestion = didYouMean(name, names);
    throw new NotFoundException(
      `no query named "${name}"${suggestion ? ` (did you mean "${suggestion}"?)` : ''}; ${names.length > 0 ? `queries: ${names.join(', ')}` : 'no queries are configured'}`,
    );
  }

  /** The dataset description of a named query (known once the startup check ran). */
  datasetOf(query: NamedQueryConfig): DatasetDescription | undefined {
    return this.datasets.get(query.name);
  }

  /** The Queryable of a pipeline's sink, read at each call (a restarted pipeline has a new sink). */
  queryable(pipeline: string): Queryable {
    const running = this.runtime.pipeline(pipeline);
    if (!running) throw new QueryUnavailableError(`pipeline "${pipeline}" is not running`);
    if (running.state === 'starting' || running.state === 'failed') throw new QueryUnavailableError(`pipeline "${pipeline}" is ${running.state === 'starting' ? 'still starting' : 'not running: it failed to start'}`);
    const queryable = running.queryable();
    if (!queryable) throw new QueryUnavailableError(`the sink of pipeline "${pipeline}" cannot be queried now`);
    return queryable;
  }

  /** Resolves once the pipeline a query reads runs (for jobs, which may fire before it started). */
  async whenStarted(pipeline: string, signal: AbortSignal): Promise<void> {
    await this.runtime.pipeline(pipeline)?.whenStarted(signal);
  }

  /** Every running pipeline whose sink is queryable, with its datasets. */
  async queryableSinks(): Promise<QueryableSink[]> {
    const sinks: QueryableSink[] = [];
    for (const pipeline of this.runtime.pipelines) {
      const queryable = pipeline.queryable();
      if (queryable) sinks.push({ pipeline: pipeline.name, queryable, datasets: await queryable.listDatasets() });
    }
    return sinks;
  }

  async onApplicationBootstrap(): Promise<void> {
    // Nest may call bootstrap hooks twice (the app and its connected microservice share the modules).
    this.checked ??= this.check();
    await this.checked;
  }

  private async check(): Promise<void> {
    const problems: string[] = [];
    const listed = new Map<string, readonly DatasetDescription[]>();
    for (const query of this.queries) {
      const where = `${query.path} (query "${query.name}")`;
      const pipeline = this.runtime.pipeline(query.pipeline);
      if (!pipeline) {
        problems.push(`${where}: pipeline "${query.pipeline}" is not running`);
        continue;
      }
      const queryable = pipeline.queryable();
      if (!queryable) {
        const { config } = pipeline;
        const sinks = config.routes ? `the route sinks of pipeline "${query.pipeline}" (plugins ${config.routes.map((route) => `"${route.sink.plugin}"`).join(', ')}) cannot be queried: none implements` : `the sink of pipeline "${query.pipeline}" (plugin "${config.sink.plugin}") cannot be queried: it does not implement`;
        problems.push(
          `${where}: ${sinks} the queryable capability ` +
            '(listDatasets, queryTimeSeries, queryTable). Point the query at a pipeline whose sink supports queries, such as sql.',
        );
        continue;
      }
      let datasets = listed.get(query.pipeline);
      if (!datasets) {
        try {
          datasets = await queryable.listDatasets();
        } catch (error) {
          problems.push(`${where}: the sink of pipeline "${query.pipeline}" failed to list its datasets: ${describeError(error)}`);
          continue;
        }
        listed.set(query.pipeline, datasets);
      }
      const dataset = datasets.find((d) => d.name === query.dataset);
      if (!dataset) {
        const names = datasets.map((d) => d.name);
        const suggestion = didYouMean(query.dataset, names);
        problems.push(
          `${where}: the sink of pipeline "${query.pipeline}" has no dataset "${query.dataset}"${suggestion ? ` (did you mean "${suggestion}"?)` : ''}; its datasets: ${names.join(', ') || 'none'}`,
        );
        continue;
      }
      const found = specProblems(query, dataset);
      if (found.length > 0) problems.push(...found.map((p) => `${where}: ${p}`));
      else this.datasets.set(query.name, dataset);
    }
    if (problems.length === 0) return;
    const message = `the named queries cannot be served (${problems.length} ${problems.length === 1 ? 'problem' : 'problems'}):\n${problems.map((p) => `  ${p}`).join('\n')}`;
    this.logger.error(message);
    // The pipelines already started: stop them so that the failed startup leaves nothing running.
    await this.runtime.stop().catch((error: unknown) => this.logger.error(`stopping the pipelines failed: ${describeError(error)}`));
    throw new Error(message);
  }
}
