/**
 * Checks of docker-compose.yml that do not need a Docker engine.
 *
 * `docker compose config` (or Debian's `docker-compose config`) validates the file against the
 * Compose schema and resolves it; the functions here add what a schema cannot say: every
 * `${VAR}` has a default, every service is health-checked and starts after the services it
 * depends on are healthy, images are pinned, ports are published on 127.0.0.1 only, named volumes
 * are declared, and the Kafka listeners fit together. They read the file as written (plus the
 * Compose variable defaults), so they behave the same whichever Compose implementation is used.
 * Every problem is a message starting with the path of the offending field.
 */
import { spawnSync, type SpawnSyncReturns } from 'node:child_process';
import { parse } from 'yaml';

export type Mapping = Record<string, unknown>;

export const isMapping = (value: unknown): value is Mapping => typeof value === 'object' && value !== null && !Array.isArray(value);

// ---------------------------------------------------------------------------------------------
// Variables
// ---------------------------------------------------------------------------------------------

/**
 * Compose interpolation of one string: `$$` is a literal `$`; `${VAR}`, `$VAR`, `${VAR:-default}`
 * (default when unset or empty), `${VAR-default}` (default when unset), `${VAR:?message}` and
 * `${VAR?message}` (error when missing). A reference that `env` cannot resolve is a problem.
 */
export function interpolate(text: string, env: Readonly<Record<string, string | undefined>>): { value: string; problems: string[] } {
  const problems: string[] = [];
  const value = text.replace(/\$(\$|\{([^}]*)\}|([A-Za-z_][A-Za-z0-9_]*))/g, (whole, _body: string, braced?: string, bare?: string) => {
    if (whole === '$$') return '$';
    const expression = braced ?? bare ?? '';
    const match = /^([A-Za-z_][A-Za-z0-9_]*)(?:(:?)([-?])([\s\S]*))?$/.exec(expression);
    if (!match) {
      problems.push(`invalid variable reference "${whole}"`);
      return whole;
    }
    const [, name, colon, operator, argument] = match;
    const current = env[name!];
    const missing = current === undefined || (colon === ':' && current === '');
    if (!missing) return current!;
    if (operator === '-') return argument!;
    problems.push(`variable ${name} has no default: \`docker compose up\` needs it set (write \${${name}:-default})`);
    return '';
  });
  return { value, problems };
}

/** Interpolates every string value (not the keys) of a parsed document; returns a copy. */
export function interpolateModel(value: unknown, env: Readonly<Record<string, string | undefined>>, path: string, problems: string[]): unknown {
  if (typeof value === 'string') {
    const result = interpolate(value, env);
    problems.push(...result.problems.map((p) => `${path}: ${p}`));
    return result.value;
  }
  if (Array.isArray(value)) return value.map((item, i) => interpolateModel(item, env, `${path}[${i}]`, problems));
  if (isMapping(value)) {
    return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, interpolateModel(v, env, path ? `${path}.${k}` : k, problems)]));
  }
  return value;
}

export interface ComposeModel {
  readonly services: Record<string, Mapping>;
  readonly volumes: Mapping;
  readonly raw: Mapping;
}

/**
 * Parses a compose file and resolves its variables with `env` (default: none set, so every
 * default applies, as on a machine without a .env file). Problems: YAML errors, missing
 * `services`, variables without a default.
 */
export function loadCompose(text: string, env: Readonly<Record<string, string | undefined>> = {}): { model?: ComposeModel; problems: string[] } {
  const problems: string[] = [];
  let parsed: unknown;
  try {
    parsed = parse(text);
  } catch (error) {
    return { problems: [`invalid YAML: ${(error as Error).message}`] };
  }
  if (!isMapping(parsed)) return { problems: ['the file must be a mapping with a `services` key'] };
  const raw = interpolateModel(parsed, env, '', problems) as Mapping;
  if (!isMapping(raw.services) || Object.keys(raw.services).length === 0) {
    problems.push('services: must be a mapping of at least one service');
    return { problems };
  }
  const services: Record<string, Mapping> = {};
  for (const [name, service] of Object.entries(raw.services)) {
    if (isMapping(service)) services[name] = service;
    else problems.push(`services.${name}: must be a mapping`);
  }
  return { model: { services, volumes: isMapping(raw.volumes) ? raw.volumes : {}, raw }, problems };
}

// ---------------------------------------------------------------------------------------------
// Generic checks: health checks, start order, images, ports, volumes
// ---------------------------------------------------------------------------------------------

/** A Go duration as Compose writes them: `10s`, `1m30s`, `500ms`. */
const DURATION = /^(\d+(\.\d+)?(ns|us|µs|ms|s|m|h))+$/;

export function checkCompose(model: ComposeModel): string[] {
  const problems: string[] = [];
  const names = Object.keys(model.services);
  for (const [name, service] of Object.entries(model.services)) {
    const at = `services.${name}`;
    problems.push(...checkImage(at, service));
    problems.push(...checkHealthcheck(at, service));
    problems.push(...checkDependencies(at, name, service, model.services));
    problems.push(...checkPorts(at, service));
    problems.push(...checkVolumes(at, service, model.volumes));
  }
  problems.push(...checkPublishedPortsUnique(model));
  const cycle = findDependencyCycle(model.services);
  if (cycle) problems.push(`services: depends_on cycle ${cycle.join(' -> ')}`);
  if (names.length === 0) problems.push('services: empty');
  return problems;
}

function checkImage(at: string, service: Mapping): string[] {
  const image = service.image;
  if (service.build !== undefined) {
    if (image !== undefined && typeof image !== 'string') return [`${at}.image: must be a string`];
    return [];
  }
  if (typeof image !== 'string' || image === '') return [`${at}: needs an image (or a build)`];
  if (image.includes('@sha256:')) return [];
  const lastSegment = image.slice(image.lastIndexOf('/') + 1);
  const tag = lastSegment.includes(':') ? lastSegment.slice(lastSegment.indexOf(':') + 1) : undefined;
  if (tag === undefined) return [`${at}.image: "${image}" has no tag: pin a version (e.g. ${image}:1.2.3)`];
  if (tag === 'latest') return [`${at}.image: "${image}" is not pinned: use a version tag instead of latest`];
  return [];
}

function checkHealthcheck(at: string, service: Mapping): string[] {
  const healthcheck = service.healthcheck;
  if (!isMapping(healthcheck)) return [`${at}.healthcheck: missing (every service needs one, for depends_on: service_healthy)`];
  const problems: string[] = [];
  if (healthcheck.disable === true) problems.push(`${at}.healthcheck.disable: the health check must not be disabled`);
  const test = healthcheck.test;
  if (typeof test === 'string') {
    if (test.trim() === '') problems.push(`${at}.healthcheck.test: empty`);
  } else if (Array.isArray(test)) {
    const [kind, ...rest] = test;
    if (kind === 'NONE') problems.push(`${at}.healthcheck.test: NONE disables the health check`);
    else if (kind !== 'CMD' && kind !== 'CMD-SHELL') problems.push(`${at}.healthcheck.test: must start with "CMD" or "CMD-SHELL", not ${JSON.stringify(kind)}`);
    else if (rest.length === 0 || rest.some((part) => typeof part !== 'string' || part === '')) {
      problems.push(`${at}.healthcheck.test: needs a command after ${kind}`);
    }
  } else {
    problems.push(`${at}.healthcheck.test: missing`);
  }
  for (const field of ['interval', 'timeout', 'start_period', 'start_interval']) {
    const value = healthcheck[field];
    if (value === undefined) continue;
    if (typeof value !== 'string' || !DURATION.test(value)) {
      problems.push(`${at}.healthcheck.${field}: ${JSON.stringify(value)} is not a duration such as 10s or 1m30s`);
    }
  }
  const retries = healthcheck.retries;
  if (retries !== undefined && !(typeof retries === 'number' && Number.isInteger(retries) && retries >= 1)) {
    problems.push(`${at}.healthcheck.retries: must be a whole number of at least 1`);
  }
  return problems;
}

/** The services a service depends on, from the long form; the short (list) form is a problem. */
export function dependenciesOf(service: Mapping): Record<string, Mapping> {
  return isMapping(service.depends_on) ? (Object.fromEntries(Object.entries(service.depends_on).map(([k, v]) => [k, isMapping(v) ? v : {}])) as Record<string, Mapping>) : {};
}

function checkDependencies(at: string, name: string, service: Mapping, services: Record<string, Mapping>): string[] {
  const dependsOn = service.depends_on;
  if (dependsOn === undefined) return [];
  if (Array.isArray(dependsOn)) {
    return [`${at}.depends_on: the list form only waits for the containers to start: use { <service>: { condition: service_healthy } }`];
  }
  if (!isMapping(dependsOn)) return [`${at}.depends_on: must be a mapping`];
  const problems: string[] = [];
  for (const [target, options] of Object.entries(dependsOn)) {
    const path = `${at}.depends_on.${target}`;
    if (target === name) problems.push(`${path}: a service cannot depend on itself`);
    else if (!(target in services)) problems.push(`${path}: no service "${target}" (services: ${Object.keys(services).join(', ')})`);
    else if (!isMapping(services[target]!.healthcheck)) problems.push(`${path}: "${target}" has no healthcheck, so service_healthy can never hold`);
    const condition = isMapping(options) ? options.condition : undefined;
    if (condition !== 'service_healthy') problems.push(`${path}.condition: must be service_healthy, not ${JSON.stringify(condition ?? null)}`);
  }
  return problems;
}

/** A depends_on cycle as a list of service names (first = last), or undefined. */
export function findDependencyCycle(services: Record<string, Mapping>): string[] | undefined {
  const state = new Map<string, 'visiting' | 'done'>();
  const stack: string[] = [];
  const visit = (name: string): string[] | undefined => {
    if (state.get(name) === 'done') return undefined;
    if (state.get(name) === 'visiting') return [...stack.slice(stack.indexOf(name)), name];
    state.set(name, 'visiting');
    stack.push(name);
    for (const target of Object.keys(dependenciesOf(services[name] ?? {}))) {
      if (!(target in services)) continue;
      const cycle = visit(target);
      if (cycle) return cycle;
    }
    stack.pop();
    state.set(name, 'done');
    return undefined;
  };
  for (const name of Object.keys(services)) {
    const cycle = visit(name);
    if (cycle) return cycle;
  }
  return undefined;
}

/** Start order implied by depends_on: the services in waves, each wave after the previous one is healthy. */
export function startWaves(services: Record<string, Mapping>): string[][] {
  const waves: string[][] = [];
  const placed = new Set<string>();
  while (placed.size < Object.keys(services).length) {
    const wave = Object.keys(services).filter(
      (name) => !placed.has(name) && Object.keys(dependenciesOf(services[name]!)).every((target) => placed.has(target) || !(target in services)),
    );
    if (wave.length === 0) throw new Error('depends_on has a cycle');
    wave.forEach((name) => placed.add(name));
    waves.push(wave.sort());
  }
  return waves;
}

export interface PortBinding {
  readonly hostIp?: string;
  readonly published?: string;
  readonly target: string;
  readonly protocol: string;
}

/** Reads the short ("127.0.0.1:8080:80/tcp") and long ({host_ip, published, target}) port forms. */
export function parsePort(entry: unknown): PortBinding | string {
  if (typeof entry === 'number') return { target: String(entry), protocol: 'tcp' };
  if (typeof entry === 'string') {
    const [spec, protocol = 'tcp'] = entry.split('/');
    // An IPv6 host address is written in brackets: [::1]:8080:80.
    const bracketed = /^\[([^\]]+)\]:(.*)$/.exec(spec!);
    const parts = bracketed ? [bracketed[1]!, ...bracketed[2]!.split(':')] : spec!.split(':');
    if (parts.length === 1) return { target: parts[0]!, protocol };
    if (parts.length === 2) return { published: parts[0]!, target: parts[1]!, protocol };
    if (parts.length === 3) return { hostIp: parts[0]!, published: parts[1]!, target: parts[2]!, protocol };
    return `cannot read port "${entry}"`;
  }
  if (isMapping(entry) && entry.target !== undefined) {
    return {
      hostIp: typeof entry.host_ip === 'string' ? entry.host_ip : undefined,
      published: entry.published === undefined ? undefined : String(entry.published),
      target: String(entry.target),
      protocol: typeof entry.protocol === 'string' ? entry.protocol : 'tcp',
    };
  }
  return `cannot read port ${JSON.stringify(entry)}`;
}

function checkPorts(at: string, service: Mapping): string[] {
  if (service.ports === undefined) return [];
  if (!Array.isArray(service.ports)) return [`${at}.ports: must be a list`];
  return service.ports.flatMap((entry, i) => {
    const port = parsePort(entry);
    if (typeof port === 'string') return [`${at}.ports[${i}]: ${port}`];
    if (port.hostIp !== '127.0.0.1') {
      return [`${at}.ports[${i}]: published on ${port.hostIp ?? 'every interface'}: publish on 127.0.0.1 only ("127.0.0.1:${port.published ?? port.target}:${port.target}")`];
    }
    if (port.published === undefined || port.published === '') return [`${at}.ports[${i}]: give the host port explicitly`];
    return [];
  });
}

function checkPublishedPortsUnique(model: ComposeModel): string[] {
  const seen = new Map<string, string>();
  const problems: string[] = [];
  for (const [name, service] of Object.entries(model.services)) {
    if (!Array.isArray(service.ports)) continue;
    service.ports.forEach((entry, i) => {
      const port = parsePort(entry);
      if (typeof port === 'string' || port.published === undefined) return;
      const key = `${port.hostIp}:${port.published}/${port.protocol}`;
      const other = seen.get(key);
      if (other) problems.push(`services.${name}.ports[${i}]: host port ${key} is also published by ${other}`);
      else seen.set(key, `services.${name}`);
    });
  }
  return problems;
}

export interface Mount {
  readonly type: 'volume' | 'bind';
  readonly source?: string;
  readonly target: string;
  readonly readOnly: boolean;
}

/** Reads the short ("name:/path:ro", "./dir:/path") and long ({type, source, target}) volume forms. */
export function parseMount(entry: unknown): Mount | string {
  if (typeof entry === 'string') {
    const parts = entry.split(':');
    if (parts.length === 1) return { type: 'volume', target: parts[0]!, readOnly: false };
    const [source, target, mode = 'rw'] = parts;
    const bind = /^(\.|\/|~)/.test(source!);
    return { type: bind ? 'bind' : 'volume', source, target: target!, readOnly: mode.split(',').includes('ro') };
  }
  if (isMapping(entry) && typeof entry.target === 'string' && (entry.type === 'volume' || entry.type === 'bind')) {
    return { type: entry.type, source: typeof entry.source === 'string' ? entry.source : undefined, target: entry.target, readOnly: entry.read_only === true };
  }
  return `cannot read volume ${JSON.stringify(entry)}`;
}

export function mountsOf(service: Mapping): Mount[] {
  return Array.isArray(service.volumes) ? service.volumes.map(parseMount).filter((m): m is Mount => typeof m !== 'string') : [];
}

function checkVolumes(at: string, service: Mapping, declared: Mapping): string[] {
  if (service.volumes === undefined) return [];
  if (!Array.isArray(service.volumes)) return [`${at}.volumes: must be a list`];
  return service.volumes.flatMap((entry, i) => {
    const mount = parseMount(entry);
    if (typeof mount === 'string') return [`${at}.volumes[${i}]: ${mount}`];
    if (mount.type === 'volume' && mount.source === undefined) {
      return [`${at}.volumes[${i}]: anonymous volume at ${mount.target}: name it and declare it under the top-level volumes`];
    }
    if (mount.type === 'volume' && !(mount.source! in declared)) {
      return [`${at}.volumes[${i}]: named volume "${mount.source}" is not declared under the top-level volumes`];
    }
    return [];
  });
}

// ---------------------------------------------------------------------------------------------
// Environment and Kafka listeners
// ---------------------------------------------------------------------------------------------

/** A service's environment (mapping or KEY=value list) as strings. */
export function environmentOf(service: Mapping): Record<string, string> {
  const env = service.environment;
  if (Array.isArray(env)) {
    return Object.fromEntries(
      env.filter((e): e is string => typeof e === 'string').map((e) => (e.includes('=') ? [e.slice(0, e.indexOf('=')), e.slice(e.indexOf('=') + 1)] : [e, ''])),
    );
  }
  if (isMapping(env)) return Object.fromEntries(Object.entries(env).map(([k, v]) => [k, v === null || v === undefined ? '' : String(v)]));
  return {};
}

interface Listener {
  readonly name: string;
  readonly host: string;
  readonly port: string;
}

function parseListeners(value: string | undefined, variable: string, problems: string[]): Listener[] {
  if (!value) {
    problems.push(`${variable}: missing`);
    return [];
  }
  return value.split(',').flatMap((item) => {
    const match = /^([A-Z0-9_]+):\/\/([^:]*):(\d+)$/.exec(item.trim());
    if (!match) {
      problems.push(`${variable}: cannot read listener "${item.trim()}" (NAME://host:port)`);
      return [];
    }
    return [{ name: match[1]!, host: match[2]!, port: match[3]! }];
  });
}

/**
 * The KRaft single-node listener setup of an apache/kafka service: listener names, advertised
 * addresses, protocol map, controller quorum, the published port and the host-facing advertised
 * address, and the cluster id. `service` is the kafka service, `hostname` the name other
 * containers reach it by.
 */
export function checkKafkaListeners(at: string, service: Mapping, hostname: string): { problems: string[]; inNetwork?: string; hostFacing?: string } {
  const problems: string[] = [];
  const env = environmentOf(service);
  const e = (name: string) => `${at}.environment.${name}`;
  const listeners = parseListeners(env.KAFKA_LISTENERS, e('KAFKA_LISTENERS'), problems);
  const advertised = parseListeners(env.KAFKA_ADVERTISED_LISTENERS, e('KAFKA_ADVERTISED_LISTENERS'), problems);
  const protocols = new Map(
    (env.KAFKA_LISTENER_SECURITY_PROTOCOL_MAP ?? '').split(',').filter(Boolean).map((pair) => pair.split(':') as [string, string]),
  );
  const controller = env.KAFKA_CONTROLLER_LISTENER_NAMES;
  const byName = new Map(listeners.map((l) => [l.name, l]));

  for (const listener of listeners) {
    if (!protocols.has(listener.name)) problems.push(`${e('KAFKA_LISTENER_SECURITY_PROTOCOL_MAP')}: no protocol for listener ${listener.name}`);
  }
  if (!controller || !byName.has(controller)) problems.push(`${e('KAFKA_CONTROLLER_LISTENER_NAMES')}: must name one of KAFKA_LISTENERS (${[...byName.keys()].join(', ')})`);
  for (const listener of advertised) {
    const own = byName.get(listener.name);
    if (!own) problems.push(`${e('KAFKA_ADVERTISED_LISTENERS')}: ${listener.name} is not in KAFKA_LISTENERS`);
    if (listener.name === controller) problems.push(`${e('KAFKA_ADVERTISED_LISTENERS')}: the controller listener ${listener.name} must not be advertised`);
  }
  const interBroker = env.KAFKA_INTER_BROKER_LISTENER_NAME;
  if (!interBroker || !advertised.some((l) => l.name === interBroker)) {
    problems.push(`${e('KAFKA_INTER_BROKER_LISTENER_NAME')}: must name an advertised listener`);
  }

  const roles = (env.KAFKA_PROCESS_ROLES ?? '').split(',').map((r) => r.trim()).sort().join(',');
  if (roles !== 'broker,controller') problems.push(`${e('KAFKA_PROCESS_ROLES')}: a single KRaft node must be broker,controller`);
  const voters = (env.KAFKA_CONTROLLER_QUORUM_VOTERS ?? '').split(',').filter(Boolean);
  const voter = /^(\d+)@([^:]+):(\d+)$/.exec(voters[0] ?? '');
  if (voters.length !== 1 || !voter) problems.push(`${e('KAFKA_CONTROLLER_QUORUM_VOTERS')}: expected one voter id@host:port`);
  else {
    if (voter[1] !== env.KAFKA_NODE_ID) problems.push(`${e('KAFKA_CONTROLLER_QUORUM_VOTERS')}: voter id ${voter[1]} is not KAFKA_NODE_ID (${env.KAFKA_NODE_ID})`);
    if (voter[2] !== hostname) problems.push(`${e('KAFKA_CONTROLLER_QUORUM_VOTERS')}: voter host ${voter[2]} is not the service's hostname ${hostname}`);
    if (controller && byName.get(controller) && voter[3] !== byName.get(controller)!.port) {
      problems.push(`${e('KAFKA_CONTROLLER_QUORUM_VOTERS')}: voter port ${voter[3]} is not the controller listener's port ${byName.get(controller)!.port}`);
    }
  }

  const clusterId = env.CLUSTER_ID ?? '';
  if (!/^[A-Za-z0-9_-]{22}$/.test(clusterId) || Buffer.from(clusterId, 'base64url').length !== 16) {
    problems.push(`${e('CLUSTER_ID')}: must be 22 characters of base64url encoding 16 bytes (a Kafka Uuid)`);
  }

  // In-network: advertised with the service's hostname. Host-facing: advertised as localhost,
  // on the port published on the host, and the listener's container port is the published target.
  const inNetwork = advertised.find((l) => l.host === hostname);
  if (!inNetwork) problems.push(`${e('KAFKA_ADVERTISED_LISTENERS')}: no listener advertised as ${hostname}:<port> for the other containers`);
  const hostFacing = advertised.find((l) => l.host === 'localhost' || l.host === '127.0.0.1');
  const ports = Array.isArray(service.ports) ? service.ports.map(parsePort).filter((p): p is PortBinding => typeof p !== 'string') : [];
  if (!hostFacing) problems.push(`${e('KAFKA_ADVERTISED_LISTENERS')}: no listener advertised as localhost:<port> for clients on the host`);
  else {
    const own = byName.get(hostFacing.name);
    const binding = ports.find((p) => own && p.target === own.port);
    if (!binding) problems.push(`${at}.ports: the ${hostFacing.name} listener's port ${own?.port ?? '?'} is not published`);
    else if (binding.published !== hostFacing.port) {
      problems.push(`${e('KAFKA_ADVERTISED_LISTENERS')}: ${hostFacing.name} advertises port ${hostFacing.port} but the host port is ${binding.published}`);
    }
  }
  for (const port of ports) {
    const listener = listeners.find((l) => l.port === port.target);
    if (listener && listener.name !== hostFacing?.name) problems.push(`${at}.ports: publishes the ${listener.name} listener, which is not advertised for the host`);
  }
  return {
    problems,
    inNetwork: inNetwork ? `${inNetwork.host}:${inNetwork.port}` : undefined,
    hostFacing: hostFacing ? `${hostFacing.host}:${hostFacing.port}` : undefined,
  };
}

// ---------------------------------------------------------------------------------------------
// The Compose implementation on this machine
// ---------------------------------------------------------------------------------------------

export interface ComposeCommand {
  /** argv prefix: ["docker", "compose"] or ["docker-compose"]. */
  readonly argv: readonly string[];
  readonly version: string;
}

/** How to get one when none is installed (the line for .ci/run, on Debian). */
export const COMPOSE_INSTALL_HINT =
  'install one: Docker Compose v2 (`docker compose`), or on Debian `apt-get install -y --no-install-recommends docker-compose` (1.29, enough for `config`)';

/** The Compose implementation to use: the v2 plugin when `docker compose` works, else `docker-compose`. */
export function findCompose(): ComposeCommand | undefined {
  for (const argv of [['docker', 'compose'], ['docker-compose']]) {
    const result = spawnSync(argv[0]!, [...argv.slice(1), 'version'], { encoding: 'utf8', timeout: 30_000 });
    if (result.status === 0 && /version/i.test(result.stdout)) return { argv, version: result.stdout.trim().split('\n')[0]! };
  }
  return undefined;
}

/**
 * Runs `<compose> -f <file> --project-directory <dir> --env-file <empty> <args>` with an
 * environment that sets none of the file's variables, so what is checked is the file and its
 * defaults, not the caller's shell or a local .env file.
 */
export function runCompose(compose: ComposeCommand, file: string, projectDirectory: string, emptyEnvFile: string, args: string[]): SpawnSyncReturns<string> {
  const env: Record<string, string> = { PATH: process.env.PATH ?? '/usr/bin:/bin', HOME: process.env.HOME ?? '/tmp', LANG: 'C.UTF-8' };
  return spawnSync(
    compose.argv[0]!,
    [...compose.argv.slice(1), '--env-file', emptyEnvFile, '-f', file, '--project-directory', projectDirectory, ...args],
    { encoding: 'utf8', env, timeout: 60_000 },
  );
}
