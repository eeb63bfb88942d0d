import { defineSource, type ConfigIssue } from '@sluice/sdk';
import { FileSourceConfig } from './file-source.config.js';
import { FileSource } from './file-source.js';

/** Globs are matched against paths relative to `directory`. */
function checkGlob(pattern: string, path: string): ConfigIssue[] {
  if (pattern.startsWith('/') || /^[A-Za-z]:[\\/]/.test(pattern)) return [{ path, message: `"${pattern}" is absolute; patterns match paths relative to \`directory\`` }];
  if (pattern.split('/').includes('..')) return [{ path, message: `"${pattern}" leaves the directory ("..") and can never match; point \`directory\` higher instead` }];
  return [];
}

/** Checks across fields that decorators cannot express. */
function validate(config: FileSourceConfig): ConfigIssue[] {
  const issues: ConfigIssue[] = [];
  config.include?.forEach((pattern, i) => issues.push(...checkGlob(pattern, `include[${i}]`)));
  config.exclude.forEach((pattern, i) => issues.push(...checkGlob(pattern, `exclude[${i}]`)));
  const csv = config.csv;
  if (csv.delimiter === csv.quote) issues.push({ path: 'csv.quote', message: `must differ from csv.delimiter ("${csv.delimiter}")` });
  if (csv.delimiter === '\n' || csv.delimiter === '\r' || csv.quote === '\n' || csv.quote === '\r') {
    issues.push({ path: csv.delimiter === '\n' || csv.delimiter === '\r' ? 'csv.delimiter' : 'csv.quote', message: 'cannot be a line break' });
  }
  if (!csv.header && !csv.columns) issues.push({ path: 'csv.columns', message: 'is required when csv.header is false (the file has no row naming the columns)' });
  if (csv.header && csv.columns) issues.push({ path: 'csv.columns', message: 'only applies with csv.header: false (with a header row, the names come from the file)' });
  if (csv.columns) {
    const duplicate = csv.columns.find((name, i) => csv.columns?.indexOf(name) !== i);
    if (duplicate !== undefined) issues.push({ path: 'csv.columns', message: `"${duplicate}" appears twice` });
  }
  return issues;
}

export default defineSource<FileSourceConfig>({
  name: 'file',
  version: '1.0.0',
  description: 'Reads CSV, JSON and JSON Lines files from a directory (once, or watching it for new files and appended lines), one lane per file, with line-exact resume.',
  config: FileSourceConfig,
  validate,
  create: (config, context) => new FileSource(config, context),
  examples: [
    { title: 'Every CSV/JSON/JSONL file of data/raw, once', config: { directory: 'data/raw' } },
    {
      title: 'Watch a landing folder for semicolon-separated sales files, numbers cast',
      config: { directory: 'landing', mode: 'watch', pollIntervalMs: 2000, include: ['sales/*.csv'], keyField: 'order_id', csv: { delimiter: ';', castNumbers: true } },
    },
  ],
});
