import { isQueryable, type DatasetDescription, type Queryable, type TableQuery, type TableResult, type TimeSeries, type TimeSeriesQuery } from '@sluice/sdk';
import { RoutedSink } from './routed-sink.js';

/**
 * A {@link RoutedSink} whose routes include queryable sinks: the pipeline can be queried, and each
 * dataset is read from the route sink that holds it (the first one, when two routes' sinks offer a
 * dataset of the same name).
 */
export class QueryableRoutedSink extends RoutedSink implements Queryable {
  private owners = new Map<string, Queryable>();

  private queryables(): Queryable[] {
    return this.routes.map((route) => route.sink.instance as unknown).filter(isQueryable);
  }

  async listDatasets(): Promise<readonly DatasetDescription[]> {
    const owners = new Map<string, Queryable>();
    const datasets: DatasetDescription[] = [];
    for (const queryable of this.queryables()) {
      for (const dataset of await queryable.listDatasets()) {
        if (owners.has(dataset.name)) {
          this.logger.warn({ dataset: dataset.name }, 'two routes offer a dataset of this name; queries read the first one');
          continue;
        }
        owners.set(dataset.name, queryable);
        datasets.push(dataset);
      }
    }
    this.owners = owners;
    return datasets;
  }

  /** The sink holding `dataset`; an unknown one is asked of the first queryable sink, which reports it as its own. */
  private async owner(dataset: string): Promise<Queryable> {
    if (!this.owners.has(dataset)) await this.listDatasets();
    return this.owners.get(dataset) ?? this.queryables()[0]!;
  }

  async queryTimeSeries(query: TimeSeriesQuery): Promise<readonly TimeSeries[]> {
    return (await this.owner(query.dataset)).queryTimeSeries(query);
  }

  async queryTable(query: TableQuery): Promise<TableResult> {
    return (await this.owner(query.dataset)).queryTable(query);
  }
}
