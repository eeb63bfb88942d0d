import { describe, expect, it } from '@jest/globals';
import { PluginCatalog } from '#runtime';
import { renderPluginsMarkdown, renderPluginsText } from './plugin-docs.js';

describe('plugin docs', () => {
  it('list the built-in codecs with their extensions and options, after the sinks', async () => {
    const catalog = await PluginCatalog.discover({ specifiers: [], baseDir: process.cwd() });
    const plugins = catalog.all().sort((a, b) => `${a.definition.kind}:${a.definition.name}`.localeCompare(`${b.definition.kind}:${b.definition.name}`));
    const text = renderPluginsText(plugins);
    expect(text).toMatch(/^codec csv 1\.0\.0 \(builtin: .*csv-codec\)\n {2}CSV: .*\n {2}file extensions: \.csv\n {2}- delimiter \(string; optional; default ","/m);
    expect(text).toMatch(/^codec jsonl 1\.0\.0 .*\n.*\n {2}file extensions: \.jsonl, \.ndjson$/m);
    const markdown = renderPluginsMarkdown(plugins);
    const sections = [...markdown.matchAll(/^## (\w+) `([\w-]+)`/gm)].map((m) => `${m[1]} ${m[2]}`);
    expect(sections.slice(-3)).toEqual(['codec csv', 'codec json', 'codec jsonl']);
    expect(markdown).toContain('Used by name: `format: csv` in the file source and sink, with its options under `codec:`. The file source picks it with `format: auto` for `.csv` files.');
    expect(markdown).toContain('| `castNumbers` | boolean | no | `false` |');
  });
});
