// config/grafana/ (Grafana's provisioning folder in docker-compose.yml) against what Sluice serves:
// the datasource points at the host's Grafana prefix with its bearer token, the plugin it needs is
// installed by the grafana service, and every panel of every provisioned dashboard asks the
// provisioned datasource for a named query of the recipes (config/pipelines/pokemon-stream.yaml,
// users-stream.yaml), of the right kind, for columns that query answers. No Grafana, no services:
// the files are read and the recipes loaded with Sluice's own config loader.
import { readdirSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { parse } from 'yaml';
import { loadConfig, type NamedQueryConfig, type SluiceConfig } from '#runtime';
import { environmentOf, isMapping, loadCompose, mountsOf, type Mapping } from './compose-checks.js';

const ROOT = resolve('.');
const GRAFANA_DIR = join(ROOT, 'config', 'grafana');
const DASHBOARD_DIR = join(GRAFANA_DIR, 'dashboards');
const RECIPES = ['pokemon-stream.yaml', 'users-stream.yaml'];
const PLUGIN = 'simpod-json-datasource';

const readYaml = (path: string): Mapping => {
  const parsed: unknown = parse(readFileSync(path, 'utf8'));
  if (!isMapping(parsed)) throw new Error(`${path} is not a YAML mapping`);
  return parsed;
};

interface Target {
  readonly refId?: string;
  readonly target?: unknown;
  readonly payload?: unknown;
  readonly datasource?: { readonly type?: string; readonly uid?: string };
}
interface Panel {
  readonly id: number;
  readonly type: string;
  readonly title: string;
  readonly datasource?: { readonly type?: string; readonly uid?: string };
  readonly targets?: readonly Target[];
  readonly options?: { readonly reduceOptions?: { readonly fields?: string } };
  readonly panels?: readonly Panel[];
}
interface Dashboard {
  readonly uid: string;
  readonly title: string;
  readonly refresh?: string;
  readonly time?: { readonly from: string; readonly to: string };
  readonly panels: readonly Panel[];
}

/** Every panel of a dashboard, those inside collapsed rows included. */
const panelsOf = (dashboard: Dashboard): Panel[] => dashboard.panels.flatMap((p) => [p, ...(p.panels ?? [])]).filter((p) => p.type !== 'row');

/** The column names a table query answers: its columns, then its aggregations' aliases. */
const tableColumns = (query: NamedQueryConfig): string[] => (query.kind === 'table' ? [...(query.columns ?? []), ...(query.aggregations ?? []).map((a) => a.as)] : []);

/** Panels that show a time axis need a time series; the others reduce rows of a table. */
const TIME_SERIES_PANELS = new Set(['timeseries', 'barchart-time']);

const dashboards: Array<{ file: string; dashboard: Dashboard }> = readdirSync(DASHBOARD_DIR)
  .filter((f) => f.endsWith('.json'))
  .sort()
  .map((file) => ({ file, dashboard: JSON.parse(readFileSync(join(DASHBOARD_DIR, file), 'utf8')) as Dashboard }));

let recipes: Array<{ file: string; config: SluiceConfig }>;
const queries = new Map<string, NamedQueryConfig>();

beforeAll(async () => {
  // The recipes' ${VAR:-default}s all have defaults: no environment is needed to load them.
  recipes = await Promise.all(RECIPES.map(async (file) => ({ file, config: await loadConfig(join(ROOT, 'config', 'pipelines', file), { env: {} }) })));
  for (const { config } of recipes) for (const query of config.queries) queries.set(query.name, query);
});

describe('config/grafana/datasources/sluice.yaml', () => {
  const file = readYaml(join(GRAFANA_DIR, 'datasources', 'sluice.yaml'));
  const datasources = (file.datasources ?? []) as Mapping[];
  const sluice = datasources.find((d) => d.uid === 'sluice');

  it('provisions the default "Sluice" JSON datasource, uid sluice, through the Grafana backend', () => {
    expect(file.apiVersion).toBe(1);
    expect(sluice).toMatchObject({ name: 'Sluice', uid: 'sluice', type: PLUGIN, access: 'proxy', isDefault: true });
    expect(datasources.filter((d) => d.isDefault === true)).toHaveLength(1);
  });

  it("points at the host's Grafana prefix and sends the host's token as a bearer header", () => {
    for (const { file: recipe, config } of recipes) {
      expect({ recipe, enabled: config.grafana.enabled }).toEqual({ recipe, enabled: true });
      expect(sluice!.url).toBe(`\${SLUICE_URL}${config.grafana.prefix}`);
    }
    expect(sluice!.jsonData).toMatchObject({ httpHeaderName1: 'Authorization' });
    expect(sluice!.secureJsonData).toEqual({ httpHeaderValue1: 'Bearer ${SLUICE_TOKEN}' });
  });

  it("gets its variables from the grafana service, which reaches the sluice service's HTTP port and installs the plugin", () => {
    const compose = loadCompose(readFileSync(join(ROOT, 'docker-compose.yml'), 'utf8'));
    expect(compose.problems).toEqual([]);
    const services = compose.model!.services;
    const grafana = environmentOf(services.grafana!);
    const sluiceService = environmentOf(services.sluice!);
    const url = new URL(grafana.SLUICE_URL!);
    expect(url.hostname).toBe('sluice');
    expect(url.port).toBe(sluiceService.SLUICE_HTTP_PORT);
    // Both services take the token from the same Compose variable.
    expect('SLUICE_TOKEN' in grafana).toBe(true);
    expect(grafana.SLUICE_TOKEN).toBe(sluiceService.SLUICE_TOKEN);
    expect(grafana.GF_PLUGINS_PREINSTALL_SYNC!.split(',').map((p) => p.trim().split('@')[0])).toContain(PLUGIN);
    expect(mountsOf(services.grafana!)).toContainEqual(expect.objectContaining({ source: './config/grafana', target: '/etc/grafana/provisioning' }));
  });
});

describe('config/grafana/dashboards/sluice.yaml', () => {
  it('provisions the JSON files of the folder it is mounted as', () => {
    const file = readYaml(join(DASHBOARD_DIR, 'sluice.yaml'));
    const providers = file.providers as Mapping[];
    expect(providers).toHaveLength(1);
    expect(providers[0]).toMatchObject({ type: 'file', options: { path: '/etc/grafana/provisioning/dashboards' } });
    expect(dashboards.map((d) => d.file)).toEqual(['pokemon.json', 'users.json']);
    const uids = dashboards.map((d) => d.dashboard.uid);
    expect(new Set(uids).size).toBe(uids.length);
  });
});

describe.each(dashboards.map((d) => [d.file, d.dashboard] as const))('dashboard %s', (_file, dashboard) => {
  const panels = panelsOf(dashboard);

  it('refreshes every 5 s over the last 24 h', () => {
    expect(dashboard.refresh).toBe('5s');
    expect(dashboard.time).toEqual({ from: 'now-24h', to: 'now' });
  });

  it('asks the provisioned datasource, in every panel and every target', () => {
    expect(panels.length).toBeGreaterThan(0);
    for (const panel of panels) {
      expect({ panel: panel.title, datasource: panel.datasource }).toEqual({ panel: panel.title, datasource: { type: PLUGIN, uid: 'sluice' } });
      expect(panel.targets?.length).toBeGreaterThan(0);
      for (const target of panel.targets ?? []) {
        expect({ panel: panel.title, datasource: target.datasource }).toEqual({ panel: panel.title, datasource: { type: PLUGIN, uid: 'sluice' } });
      }
    }
  });

  it('names, in every target, a named query of the recipes, of the kind the panel shows, with no payload', () => {
    for (const panel of panels) {
      for (const target of panel.targets ?? []) {
        const where = `${dashboard.uid} panel "${panel.title}" target ${target.refId}`;
        const query = typeof target.target === 'string' ? queries.get(target.target) : undefined;
        expect({ where, target: target.target, known: query !== undefined }).toEqual({ where, target: target.target, known: true });
        expect({ where, kind: query!.kind }).toEqual({ where, kind: TIME_SERIES_PANELS.has(panel.type) ? 'timeseries' : 'table' });
        // A named query takes no payload (the query module answers 400 to one).
        expect({ where, payload: target.payload ?? {} }).toEqual({ where, payload: {} });
        expect(typeof target.refId).toBe('string');
      }
    }
  });

  it('reduces only columns that its table query answers', () => {
    for (const panel of panels) {
      const fields = panel.options?.reduceOptions?.fields;
      if (!fields) continue;
      const match = /^\/\^(.+)\$\/$/.exec(fields);
      expect({ panel: panel.title, fields, exactName: match !== null }).toEqual({ panel: panel.title, fields, exactName: true });
      const columns = (panel.targets ?? []).flatMap((t) => tableColumns(queries.get(String(t.target))!));
      expect({ panel: panel.title, columns: columns.includes(match![1]!) }).toEqual({ panel: panel.title, columns: true });
    }
  });
});

describe('the pokemon dashboard', () => {
  it('has the five panels of the pokemon-stream dashboard, each on its query', () => {
    const pokemon = dashboards.find((d) => d.file === 'pokemon.json')!.dashboard;
    expect(panelsOf(pokemon).map((p) => [p.type, p.title, p.targets!.map((t) => t.target)])).toEqual([
      ['stat', 'Total Pokémon', ['total-pokemon']],
      ['timeseries', 'Processed per hour', ['pokemon-per-hour']],
      ['piechart', 'Types', ['type-distribution']],
      ['bargauge', 'Top by base experience', ['top-pokemon']],
      ['table', 'Stats', ['pokemon-stats']],
    ]);
  });
});

describe('the users dashboard', () => {
  it('counts users by gender, by country and over time', () => {
    const users = dashboards.find((d) => d.file === 'users.json')!.dashboard;
    const targets = panelsOf(users).flatMap((p) => p.targets!.map((t) => t.target));
    expect(targets).toEqual(expect.arrayContaining(['users-by-gender', 'users-by-country', 'users-per-hour']));
  });
});
