// docker-compose.yml without a Docker engine: the Compose implementation of this machine validates
// and resolves it (`config`), the checks of compose-checks.ts cover what its schema cannot
// (health-checked start order, pinned images, ports on 127.0.0.1, volumes, Kafka listeners), and
// Sluice's own `validate` checks the config file the sluice service runs, with the environment
// the container gets. Broken copies prove that each layer fails when it should.
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import {
  checkCompose,
  checkKafkaListeners,
  COMPOSE_INSTALL_HINT,
  dependenciesOf,
  environmentOf,
  findCompose,
  isMapping,
  loadCompose,
  mountsOf,
  parsePort,
  runCompose,
  startWaves,
  type ComposeCommand,
  type ComposeModel,
  type Mapping,
} from './compose-checks.js';
import { factsOf } from './dockerfile-checks.js';

const ROOT = resolve('.');
const COMPOSE_FILE = join(ROOT, 'docker-compose.yml');
const TEXT = readFileSync(COMPOSE_FILE, 'utf8');

const loaded = loadCompose(TEXT);
const model = (): ComposeModel => {
  if (!loaded.model) throw new Error(`docker-compose.yml cannot be read: ${loaded.problems.join('; ')}`);
  return loaded.model;
};
const service = (name: string): Mapping => {
  const found = model().services[name];
  if (!found) throw new Error(`docker-compose.yml has no service "${name}"`);
  return found;
};
/** A deep copy of the model with `change` applied, for the broken-copy cases. */
const mutated = (change: (services: Record<string, Mapping>, volumes: Mapping) => void): ComposeModel => {
  const copy = structuredClone(model()) as { services: Record<string, Mapping>; volumes: Mapping; raw: Mapping };
  change(copy.services, copy.volumes);
  return copy;
};
/** `text` with `from` replaced by `to`; throws when `from` is not there, so a case cannot pass vacuously. */
const replaced = (text: string, from: string, to: string): string => {
  if (!text.includes(from)) throw new Error(`docker-compose.yml no longer contains ${JSON.stringify(from)}: update this test case`);
  return text.replace(from, to);
};

describe('docker-compose.yml', () => {
  it('parses, and every ${VAR} has a default', () => {
    expect(loaded.problems).toEqual([]);
  });

  it('passes the checks: health checks, service_healthy dependencies, pinned images, ports on 127.0.0.1, declared volumes', () => {
    expect(checkCompose(model())).toEqual([]);
  });

  it('has the five services, started in waves: kafka, cassandra, postgres -> sluice -> grafana', () => {
    expect(Object.keys(model().services).sort()).toEqual(['cassandra', 'grafana', 'kafka', 'postgres', 'sluice']);
    expect(startWaves(model().services)).toEqual([['cassandra', 'kafka', 'postgres'], ['sluice'], ['grafana']]);
    expect(Object.keys(dependenciesOf(service('sluice'))).sort()).toEqual(['cassandra', 'kafka', 'postgres']);
    expect(Object.keys(dependenciesOf(service('grafana'))).sort()).toEqual(['postgres', 'sluice']);
  });

  it('uses the official images at the agreed versions, and builds Sluice from ./Dockerfile', () => {
    expect(service('kafka').image).toBe('apache/kafka:4.1.1');
    expect(service('cassandra').image).toBe('cassandra:5.0');
    expect(service('postgres').image).toBe('postgres:16');
    expect(service('grafana').image).toMatch(/^grafana\/grafana:\d+\.\d+\.\d+$/);
    expect(service('sluice').build).toEqual({ context: '.', dockerfile: 'Dockerfile' });
    expect(existsSync(join(ROOT, 'Dockerfile'))).toBe(true);
  });

  it('Kafka: KRaft listeners for the containers (kafka:19092) and the host (localhost:9092), and Sluice uses the first', () => {
    const result = checkKafkaListeners('services.kafka', service('kafka'), 'kafka');
    expect(result.problems).toEqual([]);
    expect(service('kafka').hostname).toBe('kafka');
    expect(result.inNetwork).toBe('kafka:19092');
    expect(result.hostFacing).toBe('localhost:9092');
    expect(environmentOf(service('sluice')).KAFKA_BROKERS).toBe(result.inNetwork);
  });

  it('keeps each service data in a named volume at the path the service writes to', () => {
    const volumeAt = (name: string, target: string) => mountsOf(service(name)).find((m) => m.type === 'volume' && m.target === target);
    expect(volumeAt('kafka', environmentOf(service('kafka')).KAFKA_LOG_DIRS!)).toBeDefined();
    expect(volumeAt('cassandra', '/var/lib/cassandra')).toBeDefined();
    expect(volumeAt('postgres', '/var/lib/postgresql/data')).toBeDefined();
    expect(volumeAt('grafana', '/var/lib/grafana')).toBeDefined();
    const dockerfile = factsOf(readFileSync(join(ROOT, 'Dockerfile'), 'utf8'));
    expect(volumeAt('sluice', dockerfile.env.SLUICE_DATA_DIR!)).toBeDefined();
  });

  it('mounts config/grafana/ read-only as Grafana provisioning', () => {
    expect(mountsOf(service('grafana'))).toContainEqual({ type: 'bind', source: './config/grafana', target: '/etc/grafana/provisioning', readOnly: true });
  });

  it('publishes Sluice on the port its HTTP server listens on', () => {
    const sluiceEnv = environmentOf(service('sluice'));
    const ports = (service('sluice').ports as unknown[]).map(parsePort);
    expect(ports).toContainEqual({ hostIp: '127.0.0.1', published: '3000', target: sluiceEnv.SLUICE_HTTP_PORT, protocol: 'tcp' });
    expect(factsOf(readFileSync(join(ROOT, 'Dockerfile'), 'utf8')).exposed).toContain(sluiceEnv.SLUICE_HTTP_PORT);
  });

  it('Sluice: the config the service runs passes `sluice validate` with the container environment, against the postgres service', () => {
    const command = service('sluice').command as string[];
    expect(command.slice(0, 3)).toEqual(['node', 'dist/apps/sluice/src/main.js', 'run']);
    const cli = join(ROOT, command[1]!);
    if (!existsSync(cli)) throw new Error(`${cli} is missing: run \`npm run build\` first (npm test does)`);

    const dockerfileEnv = factsOf(readFileSync(join(ROOT, 'Dockerfile'), 'utf8')).env;
    const env: Record<string, string> = { PATH: process.env.PATH ?? '/usr/bin:/bin', ...dockerfileEnv, ...environmentOf(service('sluice')) };
    // The config is `${SLUICE_CONFIG:-<default>}` (the model is interpolated with the defaults).
    expect(TEXT).toContain('"${SLUICE_CONFIG:-config/docker/sluice.yaml}"');
    expect(command[3]).toBe('config/docker/sluice.yaml');
    const result = spawnSync(process.execPath, [cli, 'validate', command[3]!], { cwd: ROOT, encoding: 'utf8', env });
    expect(result.stderr).toBe('');
    expect(result.status).toBe(0);
    expect(result.stdout).toContain('3 pipeline(s) on the kafka transport');

    // The recipes run in the same container environment (SLUICE_CONFIG=config/pipelines/<recipe>).
    for (const recipe of ['config/pipelines/pokemon-stream.yaml', 'config/pipelines/users-stream.yaml']) {
      const run = spawnSync(process.execPath, [cli, 'validate', recipe], { cwd: ROOT, encoding: 'utf8', env });
      expect({ recipe, stderr: run.stderr, status: run.status }).toEqual({ recipe, stderr: '', status: 0 });
    }

    // The database URL names the postgres service with the user, password and database it creates.
    const url = new URL(env.DATABASE_URL!);
    const postgres = environmentOf(service('postgres'));
    expect([url.hostname, url.port, url.pathname.slice(1)]).toEqual(['postgres', '5432', postgres.POSTGRES_DB]);
    expect([decodeURIComponent(url.username), decodeURIComponent(url.password)]).toEqual([postgres.POSTGRES_USER, postgres.POSTGRES_PASSWORD]);
  });

  it.each<[string, (services: Record<string, Mapping>, volumes: Mapping) => void, string]>([
    ['a port on every interface', (s) => void (s.postgres!.ports = ['5432:5432']), 'services.postgres.ports[0]: published on every interface'],
    ['an unpinned image', (s) => void (s.grafana!.image = 'grafana/grafana:latest'), 'services.grafana.image: "grafana/grafana:latest" is not pinned'],
    ['an image without a tag', (s) => void (s.postgres!.image = 'postgres'), 'services.postgres.image: "postgres" has no tag'],
    ['a service without healthcheck', (s) => void delete s.cassandra!.healthcheck, 'services.cassandra.healthcheck: missing'],
    ['a malformed healthcheck duration', (s) => void ((s.postgres!.healthcheck as Mapping).interval = '5 seconds'), 'services.postgres.healthcheck.interval: "5 seconds" is not a duration'],
    ['a healthcheck that is not a command', (s) => void ((s.kafka!.healthcheck as Mapping).test = ['RUN', 'true']), 'services.kafka.healthcheck.test: must start with "CMD" or "CMD-SHELL"'],
    ['a dependency that only waits for the start', (s) => void ((dependenciesOf(s.sluice!).kafka as Mapping).condition = 'service_started'), 'services.sluice.depends_on.kafka.condition: must be service_healthy'],
    ['the short depends_on form', (s) => void (s.grafana!.depends_on = ['sluice']), 'services.grafana.depends_on: the list form only waits'],
    ['a dependency on a missing service', (s) => void ((s.sluice!.depends_on as Mapping).zookeeper = { condition: 'service_healthy' }), 'services.sluice.depends_on.zookeeper: no service "zookeeper"'],
    ['a dependency cycle', (s) => void ((s.kafka!.depends_on = { grafana: { condition: 'service_healthy' } })), 'services: depends_on cycle'],
    ['an undeclared named volume', (_s, v) => void delete v['grafana-data'], 'services.grafana.volumes[1]: named volume "grafana-data" is not declared'],
    ['one host port twice', (s) => void (s.grafana!.ports = ['127.0.0.1:3000:3000']), 'services.grafana.ports[0]: host port 127.0.0.1:3000/tcp is also published by services.sluice'],
  ])('the checks catch %s', (_name, change, expected) => {
    const problems = checkCompose(mutated(change));
    expect(problems.some((p) => p.startsWith(expected))).toBe(true);
  });

  it.each<[string, (env: Mapping) => void, string]>([
    ['an advertised listener that does not listen', (e) => void (e.KAFKA_ADVERTISED_LISTENERS = 'PLAINTEXT://kafka:19092,EXTERNAL://localhost:9092'), 'EXTERNAL is not in KAFKA_LISTENERS'],
    ['a host port that the advertised address does not use', (e) => void (e.KAFKA_ADVERTISED_LISTENERS = 'PLAINTEXT://kafka:19092,PLAINTEXT_HOST://localhost:9094'), 'advertises port 9094 but the host port is 9092'],
    ['no address for the other containers', (e) => void (e.KAFKA_ADVERTISED_LISTENERS = 'PLAINTEXT://localhost:19092,PLAINTEXT_HOST://localhost:9092'), 'no listener advertised as kafka:<port>'],
    ['a voter on the wrong port', (e) => void (e.KAFKA_CONTROLLER_QUORUM_VOTERS = '1@kafka:9093'), 'voter port 9093 is not the controller listener'],
    ['a listener without protocol', (e) => void (e.KAFKA_LISTENER_SECURITY_PROTOCOL_MAP = 'CONTROLLER:PLAINTEXT,PLAINTEXT:PLAINTEXT'), 'no protocol for listener PLAINTEXT_HOST'],
    ['a malformed cluster id', (e) => void (e.CLUSTER_ID = 'not-a-uuid'), 'CLUSTER_ID: must be 22 characters'],
  ])('the Kafka check catches %s', (_name, change, expected) => {
    const kafka = structuredClone(service('kafka'));
    if (!isMapping(kafka.environment)) throw new Error('services.kafka.environment must be a mapping');
    change(kafka.environment);
    const { problems } = checkKafkaListeners('services.kafka', kafka, 'kafka');
    expect(problems.some((p) => p.includes(expected))).toBe(true);
  });

  it('a variable without default is a problem', () => {
    const { problems } = loadCompose(replaced(TEXT, '${POSTGRES_PASSWORD:-sluice}', '${POSTGRES_PASSWORD}'));
    expect(problems.some((p) => p.includes('variable POSTGRES_PASSWORD has no default'))).toBe(true);
  });
});

describe('docker-compose.yml through `docker compose config`', () => {
  let compose: ComposeCommand;
  let dir: string;
  let emptyEnvFile: string;

  beforeAll(() => {
    const found = findCompose();
    // No skipping: a machine that runs this test must have a Compose implementation.
    if (!found) throw new Error(`neither \`docker compose\` nor \`docker-compose\` works on this machine: ${COMPOSE_INSTALL_HINT}`);
    compose = found;
    dir = mkdtempSync(join(tmpdir(), 'sluice-compose-'));
    emptyEnvFile = join(dir, 'empty.env');
    writeFileSync(emptyEnvFile, '');
  });
  afterAll(() => {
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  const config = (file: string, ...args: string[]) => runCompose(compose, file, ROOT, emptyEnvFile, ['config', ...args]);

  it('accepts the file with no warning (no unset variable, no deprecated key)', () => {
    const result = config(COMPOSE_FILE, '-q');
    expect({ status: result.status, stderr: result.stderr.trim(), error: result.error?.message }).toEqual({ status: 0, stderr: '', error: undefined });
  }, 60_000);

  it('resolves the five services', () => {
    const result = config(COMPOSE_FILE, '--services');
    expect(result.status).toBe(0);
    expect(result.stdout.trim().split('\n').sort()).toEqual(['cassandra', 'grafana', 'kafka', 'postgres', 'sluice']);
  }, 60_000);

  it.each<[string, string, string, string]>([
    ['a dependency on a missing service', '      cassandra:\n        condition: service_healthy', '      cassandra_db:\n        condition: service_healthy', 'cassandra_db'],
    ['a misspelt key', '    hostname: kafka', '    hostnme: kafka', 'hostnme'],
    ['an unknown depends_on condition', '        condition: service_healthy', '        condition: service_is_healthy', 'service_is_healthy'],
    ['an undeclared named volume', '  grafana-data:\n', '', 'grafana-data'],
    ['malformed YAML', 'services:\n', 'services:\n  - [\n', ''],
  ])('rejects a copy with %s', (_name, from, to, mentioned) => {
    const file = join(dir, 'broken.yml');
    writeFileSync(file, replaced(TEXT, from, to));
    const result = config(file, '-q');
    expect(result.error).toBeUndefined();
    expect(result.status).not.toBe(0);
    expect(result.stderr).toContain(mentioned);
  }, 60_000);
});
