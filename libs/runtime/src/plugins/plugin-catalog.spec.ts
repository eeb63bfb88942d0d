import { describe, expect, it } from '@jest/globals';
import { defineSink, defineSource, SDK_VERSION, type PluginDefinition } from '@sluice/sdk';
import { existsSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { DEFAULT_BUILTIN_DIR, PluginCatalog, PluginDiscoveryError, PluginRegistrationError } from './index.js';

const FIXTURES = fileURLToPath(new URL('../../../../test/fixtures/plugins', import.meta.url));

class EmptyConfig {}

function source(name: string): PluginDefinition {
  return defineSource({ name, version: '1.0.0', description: 'test source', config: EmptyConfig, create: () => ({ start: async () => {}, read: async () => null, stop: async () => {} }) });
}

async function discoveryError(promise: Promise<unknown>): Promise<PluginDiscoveryError> {
  const error = await promise.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(PluginDiscoveryError);
  return error as PluginDiscoveryError;
}

describe('PluginCatalog.register', () => {
  it('registers definitions by kind and name and lists names sorted per kind', () => {
    const catalog = new PluginCatalog();
    const b = source('b-source');
    const a = source('a-source');
    const sink = defineSink({ name: 'a-source', version: '1.0.0', description: 'same name, other kind', config: EmptyConfig, create: () => ({ start: async () => {}, write: async () => {}, stop: async () => {} }) });
    catalog.register(b, { kind: 'path', from: '/x/b.js' });
    catalog.register(a, { kind: 'path', from: '/x/a.js' });
    catalog.register(sink, { kind: 'builtin', from: '/x/sink' });
    expect(catalog.names('source')).toEqual(['a-source', 'b-source']);
    expect(catalog.names('sink')).toEqual(['a-source']);
    expect(catalog.names('transform')).toEqual([]);
    expect(catalog.get('source', 'a-source')).toEqual({ definition: a, origin: { kind: 'path', from: '/x/a.js' } });
    expect(catalog.get('sink', 'a-source')?.definition).toBe(sink);
    expect(catalog.get('transform', 'a-source')).toBeUndefined();
    expect(catalog.all()).toHaveLength(3);
  });

  it('refuses a plugin built for another SDK major, naming plugin, origin and versions', () => {
    const catalog = new PluginCatalog();
    const future = { ...source('future'), sdkVersion: '2.0.3' };
    expect(() => catalog.register(future, { kind: 'package', from: 'sluice-plugin-future' })).toThrow(
      new PluginRegistrationError(`plugin "future" from package sluice-plugin-future was built for SDK 2.x; this host runs SDK ${SDK_VERSION}`),
    );
    expect(catalog.get('source', 'future')).toBeUndefined();
  });

  it('refuses a definition without a usable sdkVersion', () => {
    const catalog = new PluginCatalog();
    expect(() => catalog.register({ ...source('bare'), sdkVersion: 'latest' }, { kind: 'path', from: '/p.js' })).toThrow(/plugin "bare" from path \/p.js has no valid sdkVersion/);
  });

  it('refuses names that are not kebab-case', () => {
    const catalog = new PluginCatalog();
    expect(() => catalog.register(source('My_Source'), { kind: 'path', from: '/p.js' })).toThrow(/"My_Source" .*must be kebab-case/);
  });

  it('refuses a second plugin with the same kind and name, naming both origins', () => {
    const catalog = new PluginCatalog();
    catalog.register(source('dup'), { kind: 'builtin', from: '/app/plugins/dup' });
    expect(() => catalog.register(source('dup'), { kind: 'package', from: 'sluice-plugin-dup' })).toThrow(
      'duplicate source plugin "dup": defined by built-in /app/plugins/dup and by package sluice-plugin-dup',
    );
  });

  it('accepts the very same definition twice (re-exported from another module)', () => {
    const catalog = new PluginCatalog();
    const definition = source('same');
    const first = catalog.register(definition, { kind: 'path', from: '/a.js' });
    expect(catalog.register(definition, { kind: 'path', from: '/b.js' })).toBe(first);
    expect(catalog.all()).toHaveLength(1);
  });
});

describe('PluginCatalog.discover', () => {
  it('finds built-ins: every sub-folder with an index.ts or index.js, nothing else', async () => {
    const builtinDir = join(FIXTURES, 'builtins');
    const catalog = await PluginCatalog.discover({ builtinDir, specifiers: [], baseDir: FIXTURES });
    expect(catalog.all().map((p) => [p.definition.kind, p.definition.name, p.origin])).toEqual([
      ['source', 'alpha', { kind: 'builtin', from: join(builtinDir, 'alpha') }],
      ['sink', 'beta', { kind: 'builtin', from: join(builtinDir, 'beta') }],
    ]);
  });

  it('accepts the built-in folder as a file URL', async () => {
    const catalog = await PluginCatalog.discover({ builtinDir: new URL('../../../../test/fixtures/plugins/builtins/', import.meta.url) });
    expect(catalog.names('source')).toEqual(['alpha']);
  });

  it('treats a missing built-in folder as no built-ins', async () => {
    const catalog = await PluginCatalog.discover({ builtinDir: join(FIXTURES, 'no-such-folder') });
    expect(catalog.all()).toEqual([]);
  });

  it('loads a local plain-JS ESM plugin file relative to baseDir, and its config class validates', async () => {
    const catalog = await PluginCatalog.discover({ builtinDir: false, specifiers: ['./local/shout-transform.js'], baseDir: FIXTURES });
    const shout = catalog.get('transform', 'shout');
    expect(shout?.origin).toEqual({ kind: 'path', from: join(FIXTURES, 'local/shout-transform.js') });
    expect(shout?.definition.sdkVersion).toBe(SDK_VERSION);
    const { validateConfig } = await import('@sluice/sdk');
    expect(validateConfig(shout!.definition.config, { mode: 'sideways', colour: 1 }).issues).toEqual([
      { path: 'colour', message: 'unknown field' },
      { path: 'mode', message: 'must be one of the following values: upper, lower' },
    ]);
  });

  it('loads a local folder: its index.js default array and named definitions, each once', async () => {
    const catalog = await PluginCatalog.discover({ builtinDir: false, specifiers: ['./multi'], baseDir: FIXTURES });
    expect(catalog.all().map((p) => `${p.definition.kind}:${p.definition.name}`).sort()).toEqual(['sink:null', 'source:counting', 'transform:pass']);
    expect(catalog.get('sink', 'null')?.origin).toEqual({ kind: 'path', from: join(FIXTURES, 'multi/index.js') });
  });

  it('loads a local folder through the "sluice" field of its package.json', async () => {
    const catalog = await PluginCatalog.discover({ builtinDir: false, specifiers: ['./local-package'], baseDir: FIXTURES });
    expect(catalog.get('transform', 'tag-local')?.origin).toEqual({ kind: 'path', from: join(FIXTURES, 'local-package/lib/plugin.js') });
  });

  it('accepts an absolute path', async () => {
    const catalog = await PluginCatalog.discover({ builtinDir: false, specifiers: [join(FIXTURES, 'local/shout-transform.js')], baseDir: '/' });
    expect(catalog.names('transform')).toEqual(['shout']);
  });

  it('loads an npm package resolved from baseDir through its "sluice.plugins" entries (even with an exports map)', async () => {
    const catalog = await PluginCatalog.discover({ builtinDir: false, specifiers: ['sluice-plugin-example'], baseDir: FIXTURES });
    const example = catalog.get('sink', 'example-memory');
    expect(example?.origin).toEqual({ kind: 'package', from: 'sluice-plugin-example' });
    expect(example?.definition.version).toBe('2.4.0');
  });

  it('loads built-ins, packages and paths together', async () => {
    const catalog = await PluginCatalog.discover({
      builtinDir: join(FIXTURES, 'builtins'),
      specifiers: ['sluice-plugin-example', './local/shout-transform.js', './multi'],
      baseDir: FIXTURES,
    });
    expect(catalog.names('source')).toEqual(['alpha', 'counting']);
    expect(catalog.names('transform')).toEqual(['pass', 'shout']);
    expect(catalog.names('sink')).toEqual(['beta', 'example-memory', 'null']);
  });

  it('loads a module named twice only once', async () => {
    const catalog = await PluginCatalog.discover({ builtinDir: false, specifiers: ['./multi', './multi/index.js'], baseDir: FIXTURES });
    expect(catalog.all()).toHaveLength(3);
  });

  it('refuses a plugin built for another SDK major and names where it came from', async () => {
    const error = await discoveryError(PluginCatalog.discover({ builtinDir: false, specifiers: ['./future-sdk'], baseDir: FIXTURES }));
    expect(error.problems).toEqual([
      {
        specifier: './future-sdk',
        message: `plugin "from-the-future" from path ${join(FIXTURES, 'future-sdk/index.js')} was built for SDK 2.x; this host runs SDK ${SDK_VERSION}`,
      },
    ]);
  });

  it('reports two plugins with the same kind and name, naming both origins', async () => {
    const error = await discoveryError(
      PluginCatalog.discover({ builtinDir: false, specifiers: ['./local/shout-transform.js', './duplicate'], baseDir: FIXTURES }),
    );
    expect(error.problems).toEqual([
      {
        specifier: './duplicate',
        message: `duplicate transform plugin "shout": defined by path ${join(FIXTURES, 'local/shout-transform.js')} and by path ${join(FIXTURES, 'duplicate/index.js')}`,
      },
    ]);
  });

  it('names a specifier that does not resolve and the folder it was resolved from', async () => {
    const error = await discoveryError(
      PluginCatalog.discover({ builtinDir: false, specifiers: ['sluice-plugin-missing', './nowhere/plugin.js'], baseDir: FIXTURES }),
    );
    expect(error.problems).toEqual([
      { specifier: 'sluice-plugin-missing', message: `cannot find plugin package "sluice-plugin-missing" from ${FIXTURES}: install it (npm install sluice-plugin-missing)` },
      { specifier: './nowhere/plugin.js', message: `plugin path "./nowhere/plugin.js" does not exist (resolved from ${FIXTURES} to ${join(FIXTURES, 'nowhere/plugin.js')})` },
    ]);
  });

  it('hints at ./ when a missing package name looks like a path', async () => {
    const error = await discoveryError(PluginCatalog.discover({ builtinDir: false, specifiers: ['local/shout-transform.js'], baseDir: FIXTURES }));
    expect(error.problems[0]!.message).toMatch(/cannot find plugin package "local\/shout-transform.js" .* if it is a local path, start it with \.\/ or \.\.\//);
  });

  it('reports a package without a "sluice" field, saying so', async () => {
    const error = await discoveryError(PluginCatalog.discover({ builtinDir: false, specifiers: ['sluice-plugin-no-field'], baseDir: FIXTURES }));
    expect(error.problems).toHaveLength(1);
    expect(error.problems[0]!.message).toBe(
      `package "sluice-plugin-no-field" (${join(FIXTURES, 'node_modules/sluice-plugin-no-field/package.json')}) has no "sluice" field: ` +
        'a Sluice plugin package declares its plugin entry files in package.json as "sluice": { "plugins": ["./dist/index.js"] }',
    );
  });

  it('reports a declared entry file that does not exist', async () => {
    const error = await discoveryError(PluginCatalog.discover({ builtinDir: false, specifiers: ['sluice-plugin-unbuilt'], baseDir: FIXTURES }));
    expect(error.problems[0]!.message).toMatch(/declares plugin entry "\.\/dist\/index\.js", but .*sluice-plugin-unbuilt\/dist\/index\.js does not exist/);
  });

  it('reports modules that export no definition or fail to import', async () => {
    const error = await discoveryError(
      PluginCatalog.discover({ builtinDir: false, specifiers: ['./not-a-plugin.js', './broken-module.js'], baseDir: FIXTURES }),
    );
    expect(error.problems.map((p) => p.specifier)).toEqual(['./not-a-plugin.js', './broken-module.js']);
    expect(error.problems[0]!.message).toBe(
      `plugin module ${join(FIXTURES, 'not-a-plugin.js')} exports no plugin definition (export default the result of defineSource, defineTransform, defineSink or defineCodec)`,
    );
    expect(error.problems[1]!.message).toBe(`cannot load plugin module ${join(FIXTURES, 'broken-module.js')}: broken-module exploded at import`);
  });

  it('reports a folder with neither a sluice package.json nor an index.js', async () => {
    const error = await discoveryError(PluginCatalog.discover({ builtinDir: false, specifiers: ['./builtins/docs-only'], baseDir: FIXTURES }));
    expect(error.problems[0]!.message).toMatch(/plugin folder "\.\/builtins\/docs-only" .* has neither a package.json with a "sluice" field nor an index.js/);
  });

  it('keeps what loaded when another specifier failed, and lists every problem in the message', async () => {
    const catalog = new PluginCatalog();
    const error = await discoveryError(
      catalog.discover({ builtinDir: join(FIXTURES, 'builtins'), specifiers: ['./future-sdk', 'sluice-plugin-example', 'sluice-plugin-missing'], baseDir: FIXTURES }),
    );
    expect(error.problems).toHaveLength(2);
    expect(error.message.split('\n')).toHaveLength(3);
    expect(catalog.names('sink')).toEqual(['beta', 'example-memory']);
  });
});

describe('the real built-in plugins', () => {
  const builtinRoot = fileURLToPath(DEFAULT_BUILTIN_DIR);

  it('default to the repository plugins/ folder when running from source', () => {
    expect(builtinRoot).toBe(fileURLToPath(new URL('../../../../plugins/', import.meta.url)));
    expect(existsSync(join(builtinRoot, '..', 'libs', 'sdk', 'package.json'))).toBe(true);
  });

  it('are all discovered: every plugins/<folder> with an index registers at least one plugin, on the current SDK', async () => {
    const folders = existsSync(builtinRoot)
      ? readdirSync(builtinRoot, { withFileTypes: true })
          .filter((d) => d.isDirectory() && ['index.ts', 'index.js'].some((f) => existsSync(join(builtinRoot, d.name, f))))
          .map((d) => join(builtinRoot, d.name))
      : [];
    const catalog = await PluginCatalog.discover({ specifiers: [], baseDir: process.cwd() });
    const origins = new Set(catalog.all().map((p) => p.origin.from));
    expect([...origins].sort()).toEqual(folders.sort());
    for (const plugin of catalog.all()) {
      expect(plugin.origin.kind).toBe('builtin');
      expect(plugin.definition.sdkVersion).toBe(SDK_VERSION);
    }
  });
});
