import { describe, expect, it } from '@jest/globals';
import { parseTopicSelection, resolveTopics, topicIssues } from './topic-selection.js';

describe('topic selection', () => {
  it('resolves names and whole-name patterns against the existing topics, never matching internal ones', () => {
    const selection = parseTopicSelection(['orders', '/sales\\..*/', '/.*offsets/']);
    const resolved = resolveTopics(selection, ['orders', 'sales.eu', 'sales.us', 'presales.eu', '__consumer_offsets', 'other']);
    expect(resolved.topics).toEqual(['orders', 'sales.eu', 'sales.us']);
    expect(resolved.missing).toEqual([]);
    expect(resolved.unmatched.map(String)).toEqual(['/^(?:.*offsets)$/']);
  });

  it('reports named topics that do not exist', () => {
    expect(resolveTopics(parseTopicSelection(['a', 'b']), ['a'])).toEqual({ topics: ['a'], missing: ['b'], unmatched: [] });
  });

  it('validates names and patterns with their path', () => {
    expect(topicIssues(['ok.topic-1_x', 'bad topic', '..', '/[unclosed/', '//', 'ok.topic-1_x', 'a'.repeat(250)])).toEqual([
      { path: 'topics[1]', message: '"bad topic" is not a valid topic name (1 to 249 letters, digits, ".", "_" or "-"); write a regular expression between slashes, e.g. "/orders\\..*/"' },
      { path: 'topics[2]', message: '".." is not a valid topic name; write a regular expression between slashes, e.g. "/orders\\..*/"' },
      { path: 'topics[3]', message: expect.stringMatching(/^is not a valid regular expression: /) },
      { path: 'topics[4]', message: 'the pattern between the slashes is empty' },
      { path: 'topics[5]', message: '"ok.topic-1_x" is listed twice' },
      { path: 'topics[6]', message: expect.stringMatching(/is not a valid topic name/) },
    ]);
  });
});
