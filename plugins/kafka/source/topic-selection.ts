import type { ConfigIssue } from '@sluice/sdk';
import { topicNameProblem } from '../connection/kafka-connection.js';

/** The `topics` of the config: names to read, and patterns matched against the existing topics. */
export interface TopicSelection {
  readonly names: readonly string[];
  readonly patterns: readonly RegExp[];
}

/** Whether a `topics` entry is a pattern (written between slashes). Topic names cannot contain `/`. */
function isPattern(entry: string): boolean {
  return entry.length >= 2 && entry.startsWith('/') && entry.endsWith('/');
}

/** Compiles a pattern entry; it must match the whole name, like the Java client's subscriptions. */
function compilePattern(entry: string): RegExp {
  return new RegExp(`^(?:${entry.slice(1, -1)})$`);
}

/** Problems of the `topics` entries, with their path. */
export function topicIssues(entries: readonly string[]): ConfigIssue[] {
  const issues: ConfigIssue[] = [];
  entries.forEach((entry, index) => {
    const path = `topics[${index}]`;
    if (entries.indexOf(entry) !== index) issues.push({ path, message: `"${entry}" is listed twice` });
    if (isPattern(entry)) {
      if (entry.length === 2) {
        issues.push({ path, message: 'the pattern between the slashes is empty' });
        return;
      }
      try {
        compilePattern(entry);
      } catch (error) {
        issues.push({ path, message: `is not a valid regular expression: ${(error as Error).message}` });
      }
      return;
    }
    const problem = topicNameProblem(entry);
    if (problem) issues.push({ path, message: `${problem}; write a regular expression between slashes, e.g. "/orders\\..*/"` });
  });
  return issues;
}

/** Parses validated `topics` entries. */
export function parseTopicSelection(entries: readonly string[]): TopicSelection {
  const names: string[] = [];
  const patterns: RegExp[] = [];
  for (const entry of entries) {
    if (isPattern(entry)) patterns.push(compilePattern(entry));
    else names.push(entry);
  }
  return { names, patterns };
}

/** What a selection means on a cluster with the topics `existing`. */
export interface ResolvedTopics {
  /** The topics to subscribe to, sorted. */
  readonly topics: string[];
  /** Named topics that do not exist. */
  readonly missing: string[];
  /** Patterns that match no topic. */
  readonly unmatched: RegExp[];
}

/** Resolves names and patterns against the existing topics; patterns never match internal `__` topics. */
export function resolveTopics(selection: TopicSelection, existing: readonly string[]): ResolvedTopics {
  const known = new Set(existing);
  const topics = new Set<string>();
  const missing: string[] = [];
  for (const name of selection.names) {
    if (known.has(name)) topics.add(name);
    else missing.push(name);
  }
  const unmatched: RegExp[] = [];
  for (const pattern of selection.patterns) {
    const matches = existing.filter((topic) => !topic.startsWith('__') && pattern.test(topic));
    if (matches.length === 0) unmatched.push(pattern);
    matches.forEach((topic) => topics.add(topic));
  }
  return { topics: [...topics].sort(), missing, unmatched };
}
