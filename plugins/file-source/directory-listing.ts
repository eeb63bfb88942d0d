import { readdir, stat } from 'node:fs/promises';
import { join } from 'node:path';
import picomatch from 'picomatch';
import type { Codecs } from '@sluice/sdk';
import { AUTO_FORMAT } from './file-source.config.js';

/** A file found in the directory. */
export interface ListedFile {
  /** Path relative to the directory, `/`-separated: the lane. */
  readonly relative: string;
  readonly absolute: string;
  readonly size: number;
  readonly mtimeMs: number;
}

/**
 * The include patterns when none are configured: every file with an extension of the codec named
 * by `format` (of any codec that claims extensions, with `auto`); every file for a codec claiming none.
 */
export function defaultInclude(format: string, codecs: Codecs): string[] {
  const names = format === AUTO_FORMAT ? codecs.names() : [format];
  const extensions = names.flatMap((name) => codecs.extensions(name));
  if (extensions.length === 0) return ['**/*'];
  return [...new Set(extensions)].map((extension) => `**/*${extension}`);
}

/**
 * Lists the files under a directory whose relative path matches `include` and not `exclude`, in
 * name order (plain code-unit order of the relative path). Hidden entries (dot names) are skipped,
 * folders are walked recursively, symbolic links to files are followed (links to folders are not).
 */
export class DirectoryListing {
  private readonly included: (path: string) => boolean;
  private readonly excluded: (path: string) => boolean;

  constructor(
    private readonly root: string,
    include: readonly string[],
    exclude: readonly string[],
  ) {
    this.included = picomatch([...include], { dot: false });
    this.excluded = exclude.length > 0 ? picomatch([...exclude], { dot: true }) : () => false;
  }

  /** The matching files, sorted; files that vanish while listing are left out. */
  async list(): Promise<ListedFile[]> {
    const found: ListedFile[] = [];
    await this.walk(this.root, '', found);
    return found.sort((a, b) => (a.relative < b.relative ? -1 : a.relative > b.relative ? 1 : 0));
  }

  private async walk(folder: string, prefix: string, found: ListedFile[]): Promise<void> {
    let entries;
    try {
      entries = await readdir(folder, { withFileTypes: true });
    } catch (error) {
      if (isMissing(error) && prefix !== '') return; // a sub-folder removed meanwhile
      throw error;
    }
    for (const entry of entries) {
      if (entry.name.startsWith('.')) continue;
      const relative = prefix + entry.name;
      const absolute = join(folder, entry.name);
      if (entry.isDirectory()) {
        await this.walk(absolute, `${relative}/`, found);
        continue;
      }
      if (!(entry.isFile() || entry.isSymbolicLink()) || !this.included(relative) || this.excluded(relative)) continue;
      try {
        const info = await stat(absolute);
        if (info.isFile()) found.push({ relative, absolute, size: info.size, mtimeMs: info.mtimeMs });
      } catch (error) {
        if (!isMissing(error)) throw error;
      }
    }
  }
}

export function isMissing(error: unknown): boolean {
  return (error as NodeJS.ErrnoException | null)?.code === 'ENOENT';
}
