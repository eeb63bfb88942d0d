import { defineSource, type ConfigIssue } from '@sluice/sdk';
import { AUTO_FORMAT, FileSourceConfig } from './file-source.config.js';
import { fileSourceCodecs } from './file-source.codecs.js';
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
  if (config.codec !== undefined && config.format === AUTO_FORMAT) {
    issues.push({ path: 'codec', message: 'applies to the codec `format` names; with format: auto, give CSV options under `csv`' });
  }
  if (config.codec !== undefined && config.csv !== undefined && config.format === 'csv') {
    issues.push({ path: 'csv', message: 'the CSV options are given twice: under `codec` and under `csv`; keep one' });
  }
  return issues;
}

export default defineSource<FileSourceConfig>({
  name: 'file',
  version: '1.0.0',
  description: 'Reads files from a directory through codecs (CSV, JSON, JSON Lines...), once or watching it for new files and appended lines, one lane per file, with line-exact resume.',
  config: FileSourceConfig,
  validate,
  codecsUsed: fileSourceCodecs,
  create: (config, context) => new FileSource(config, context),
  examples: [
    { title: 'Every CSV/JSON/JSONL file of data/raw, once', config: { directory: 'data/raw' } },
    { title: 'Tab-separated .tsv files without a header row', config: { directory: 'exports', include: ['*.tsv'], format: 'csv', codec: { delimiter: '\t', header: false, columns: ['id', 'name'] } } },
    {
      title: 'Watch a landing folder for semicolon-separated sales files, numbers cast',
      config: { directory: 'landing', mode: 'watch', pollIntervalMs: 2000, include: ['sales/*.csv'], keyField: 'order_id', csv: { delimiter: ';', castNumbers: true } },
    },
  ],
});
