// The Sluice Dockerfile without a Docker engine: what `docker build` would copy exists and is not
// ignored, and the runtime stage is non-root, health-checked and starts package.json's CLI.
import { readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { checkDockerfile, dockerignore, execForm, factsOf } from './dockerfile-checks.js';

const ROOT = resolve('.');
const DOCKERFILE = readFileSync(join(ROOT, 'Dockerfile'), 'utf8');
const DOCKERIGNORE = readFileSync(join(ROOT, '.dockerignore'), 'utf8');

const replaced = (text: string, from: string | RegExp, to: string): string => {
  const next = text.replace(from, to);
  if (next === text) throw new Error(`Dockerfile no longer contains ${String(from)}: update this test case`);
  return next;
};

describe('Dockerfile', () => {
  it('passes the checks', () => {
    expect(checkDockerfile(ROOT, DOCKERFILE, DOCKERIGNORE)).toEqual([]);
  });

  it('runs the default config as the node user, on 0.0.0.0:3000, with its state in /var/lib/sluice', () => {
    const facts = factsOf(DOCKERFILE);
    expect(facts.user).toBe('node');
    expect(facts.cmd).toEqual(['node', 'dist/apps/sluice/src/main.js', 'run', 'config/sluice.yaml']);
    expect(facts.env).toMatchObject({ SLUICE_HTTP_HOST: '0.0.0.0', SLUICE_HTTP_PORT: '3000', SLUICE_DATA_DIR: '/var/lib/sluice' });
    expect(facts.exposed).toEqual(['3000']);
    // The health check runs node (no curl in the slim image) in exec form.
    const healthcheck = execForm(facts.healthcheck!.slice(facts.healthcheck!.indexOf('CMD') + 3).trim());
    expect(healthcheck?.slice(0, 2)).toEqual(['node', '-e']);
  });

  it('.dockerignore keeps local state and build output out, and the sample input in', () => {
    const ignored = dockerignore(DOCKERIGNORE);
    for (const path of ['node_modules', 'node_modules/yaml/package.json', 'dist/apps/sluice/src/main.js', 'libs/sdk/dist/index.js', 'data/sluice.db', 'data/state/x.json', '.services/kafka', '.git/HEAD', 'plugins/sql/sql.spec.ts']) {
      expect([path, ignored(path)]).toEqual([path, true]);
    }
    for (const path of ['package.json', 'package-lock.json', 'libs/sdk/package.json', 'libs/sdk/src/index.ts', 'tools/build.mjs', 'config/sluice.yaml', 'config/docker/sluice.yaml', 'data/raw', 'data/raw/sales.csv']) {
      expect([path, ignored(path)]).toEqual([path, false]);
    }
  });

  it.each<[string, string, string, string]>([
    ['a COPY of a missing file', 'COPY tools tools', 'COPY tools/missing.mjs tools/', 'tools/missing.mjs does not exist'],
    ['a root runtime user', 'USER node', 'USER root', 'must switch to a non-root USER'],
    ['no health check', '/health/live', '/health/nope', 'needs a HEALTHCHECK on /health/live'],
    ['npm ci', 'RUN npm install --no-audit --no-fund', 'RUN npm ci', 'uses `npm ci`'],
    ['a shell-form CMD', 'CMD ["node", "dist/apps/sluice/src/main.js", "run", "config/sluice.yaml"]', 'CMD node dist/apps/sluice/src/main.js run config/sluice.yaml', 'CMD must use the exec form'],
    ['a CMD on a missing config', '"run", "config/sluice.yaml"]', '"run", "config/nope.yaml"]', 'config/nope.yaml, which does not exist'],
    ['a loopback-only HTTP host', 'SLUICE_HTTP_HOST=0.0.0.0', 'SLUICE_HTTP_HOST=127.0.0.1', 'SLUICE_HTTP_HOST=0.0.0.0 is needed'],
  ])('the checks catch %s', (_name, from, to, expected) => {
    const problems = checkDockerfile(ROOT, replaced(DOCKERFILE, from, to), DOCKERIGNORE);
    expect(problems.some((p) => p.includes(expected))).toBe(true);
  });

  it('the checks catch a copied folder that .dockerignore excludes', () => {
    const problems = checkDockerfile(ROOT, DOCKERFILE, `${DOCKERIGNORE}\ntools\n`);
    expect(problems.some((p) => p.includes('tools is excluded by .dockerignore'))).toBe(true);
  });
});
