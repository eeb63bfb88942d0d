import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, isAbsolute, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { PluginResolutionError } from './plugin-discovery-error.js';
import type { PluginOrigin } from './plugin-registry.js';

/** A module file to import plugin definitions from, and where it came from. */
export interface PluginEntry {
  readonly file: string;
  readonly origin: PluginOrigin;
  /** The config specifier that named it (absent for built-ins). */
  readonly specifier?: string;
}

const PACKAGE_FIELD_HINT = 'a Sluice plugin package declares its plugin entry files in package.json as "sluice": { "plugins": ["./dist/index.js"] }';

function toPath(dir: string | URL): string {
  return dir instanceof URL ? fileURLToPath(dir) : dir;
}

function isDirectory(path: string): boolean {
  try {
    return statSync(path).isDirectory();
  } catch {
    return false;
  }
}

function isFile(path: string): boolean {
  try {
    return statSync(path).isFile();
  } catch {
    return false;
  }
}

/**
 * The built-in plugins: every folder of `dir` holding an `index.js` (compiled) or else an
 * `index.ts` (running from source under jest). A missing `dir` means no built-ins.
 */
export function findBuiltinEntries(dir: string | URL): PluginEntry[] {
  const root = toPath(dir);
  if (!isDirectory(root)) return [];
  const entries: PluginEntry[] = [];
  const folders = readdirSync(root, { withFileTypes: true })
    .map((d) => d.name)
    .filter((name) => isDirectory(join(root, name)))
    .sort();
  for (const name of folders) {
    const folder = join(root, name);
    const file = ['index.js', 'index.ts'].map((f) => join(folder, f)).find(isFile);
    if (file) entries.push({ file, origin: { kind: 'builtin', from: folder } });
  }
  return entries;
}

/** Whether a specifier is a local path (`./x.js`, `../lib`, `/abs/dir`) rather than an npm package name. */
export function isLocalSpecifier(specifier: string): boolean {
  return /^\.{1,2}([\\/]|$)/.test(specifier) || isAbsolute(specifier);
}

/** The entry files a config specifier stands for, resolved from `baseDir` (the config file's folder). */
export function resolveSpecifier(specifier: string, fromDir: string): PluginEntry[] {
  const baseDir = resolve(fromDir);
  if (specifier.trim() === '') throw new PluginResolutionError('a plugin specifier is empty: name an npm package or a local path starting with ./ or ../');
  return isLocalSpecifier(specifier) ? resolveLocalPath(specifier, baseDir) : resolvePackage(specifier, baseDir);
}

function resolveLocalPath(specifier: string, baseDir: string): PluginEntry[] {
  const target = resolve(baseDir, specifier);
  if (!existsSync(target)) {
    throw new PluginResolutionError(`plugin path "${specifier}" does not exist (resolved from ${baseDir} to ${target})`);
  }
  if (isFile(target)) return [{ file: target, origin: { kind: 'path', from: target }, specifier }];
  const packageJson = join(target, 'package.json');
  if (isFile(packageJson)) {
    const manifest = readManifest(packageJson, `plugin folder "${specifier}"`);
    if (manifest.sluice !== undefined) {
      return packageEntryFiles(manifest, target, `plugin folder "${specifier}" (${packageJson})`).map((file) => ({
        file,
        origin: { kind: 'path', from: file },
        specifier,
      }));
    }
  }
  const index = ['index.js', 'index.mjs'].map((f) => join(target, f)).find(isFile);
  if (index) return [{ file: index, origin: { kind: 'path', from: index }, specifier }];
  throw new PluginResolutionError(
    `plugin folder "${specifier}" (${target}) has neither a package.json with a "sluice" field nor an index.js: ${PACKAGE_FIELD_HINT}`,
  );
}

function findPackageJson(name: string, baseDir: string): string {
  const require = createRequire(join(baseDir, 'noop.js'));
  try {
    return require.resolve(`${name}/package.json`);
  } catch {
    // Either not installed, or its `exports` map hides "./package.json" (Node then throws
    // ERR_PACKAGE_PATH_NOT_EXPORTED, jest's resolver MODULE_NOT_FOUND): look in the node_modules
    // folders Node would search.
    const found = (require.resolve.paths(name) ?? []).map((dir) => join(dir, name, 'package.json')).find(isFile);
    if (found) return found;
    const looksLikePath = /\.(m?js|ts)$/.test(name) || (name.includes('/') && !name.startsWith('@'));
    throw new PluginResolutionError(
      `cannot find plugin package "${name}" from ${baseDir}: install it (npm install ${name})` +
        (looksLikePath ? ` or, if it is a local path, start it with ./ or ../` : ''),
    );
  }
}

interface Manifest {
  readonly name?: unknown;
  readonly sluice?: unknown;
}

function readManifest(file: string, label: string): Manifest {
  let parsed: unknown;
  try {
    parsed = JSON.parse(readFileSync(file, 'utf8'));
  } catch (error) {
    throw new PluginResolutionError(`${label}: cannot read ${file}: ${(error as Error).message}`);
  }
  if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) {
    throw new PluginResolutionError(`${label}: ${file} is not a JSON object`);
  }
  return parsed as Manifest;
}

function packageEntryFiles(manifest: Manifest, packageDir: string, label: string): string[] {
  const field = manifest.sluice as { plugins?: unknown } | undefined;
  if (field === undefined) throw new PluginResolutionError(`${label} has no "sluice" field: ${PACKAGE_FIELD_HINT}`);
  const plugins = typeof field === 'object' && field !== null ? field.plugins : undefined;
  if (!Array.isArray(plugins) || plugins.length === 0 || !plugins.every((p) => typeof p === 'string' && p !== '')) {
    throw new PluginResolutionError(`${label}: "sluice.plugins" must be a non-empty list of entry file paths: ${PACKAGE_FIELD_HINT}`);
  }
  return plugins.map((entry: string) => {
    const file = resolve(packageDir, entry);
    if (!isFile(file)) {
      throw new PluginResolutionError(`${label} declares plugin entry "${entry}", but ${file} does not exist (is the package built?)`);
    }
    return file;
  });
}

function resolvePackage(name: string, baseDir: string): PluginEntry[] {
  const packageJson = findPackageJson(name, baseDir);
  const label = `package "${name}" (${packageJson})`;
  const manifest = readManifest(packageJson, label);
  return packageEntryFiles(manifest, dirname(packageJson), label).map((file) => ({
    file,
    origin: { kind: 'package', from: name },
    specifier: name,
  }));
}
