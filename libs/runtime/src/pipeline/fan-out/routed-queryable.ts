import { isQueryable, type DatasetDescription, type PluginLogger, type Queryable, type TableQuery, type TableResult, type TimeSeries, type TimeSeriesQuery } from '@sluice/sdk';

/**
 * What a pipeline with routes offers to queries: the datasets of every queryable route sink, each
 * query read from the sink that holds its dataset (the first route's, when two routes' sinks offer
 * a dataset of the same name).
 */
export class RoutedQueryable implements Queryable {
  private owners = new Map<string, Queryable>();

  private constructor(
    private readonly sinks: readonly Queryable[],
    private readonly logger: PluginLogger,
  ) {}

  /** Over the queryable ones of `sinks` (in route order); null when none is. */
  static over(sinks: readonly unknown[], logger: PluginLogger): RoutedQueryable | null {
    const queryable = sinks.filter(isQueryable);
    return queryable.length > 0 ? new RoutedQueryable(queryable, logger) : null;
  }

  async listDatasets(): Promise<readonly DatasetDescription[]> {
    const owners = new Map<string, Queryable>();
    const datasets: DatasetDescription[] = [];
    for (const sink of this.sinks) {
      for (const dataset of await sink.listDatasets()) {
        if (owners.has(dataset.name)) {
          this.logger.warn({ dataset: dataset.name }, 'two routes offer a dataset of this name; queries read the first one');
          continue;
        }
        owners.set(dataset.name, sink);
        datasets.push(dataset);
      }
    }
    this.owners = owners;
    return datasets;
  }

  /** The sink holding `dataset`; an unknown one is asked of the first queryable sink, which reports it as its own. */
  private async owner(dataset: string): Promise<Queryable> {
    if (!this.owners.has(dataset)) await this.listDatasets();
    return this.owners.get(dataset) ?? this.sinks[0];
  }

  async queryTimeSeries(query: TimeSeriesQuery): Promise<readonly TimeSeries[]> {
    return (await this.owner(query.dataset)).queryTimeSeries(query);
  }

  async queryTable(query: TableQuery): Promise<TableResult> {
    return (await this.owner(query.dataset)).queryTable(query);
  }
}
