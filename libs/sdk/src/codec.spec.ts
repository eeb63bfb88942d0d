import { describe, expect, it } from '@jest/globals';
import { IsIn } from 'class-validator';
import { CodecConfigError, type Codec } from './codec.js';
import { CodecSet } from './codec-set.js';
import { Field } from './config-field.js';
import { codecsOf } from './context.js';
import { silentLogger } from './logger.js';
import { defineCodec, isPluginDefinition } from './plugin.js';
import { decodeChunks, makeCodec } from './testing/run-codec.js';
import { SDK_VERSION } from './version.js';

class WordsConfig {
  @Field({ description: 'How words are separated.' })
  @IsIn(['space', 'comma'])
  separator: 'space' | 'comma' = 'space';
}

/** A tiny codec for the tests: a stream of words, each word one item; appendable only with spaces. */
const words = defineCodec<WordsConfig>({
  name: 'words',
  version: '1.0.0',
  description: 'Words.',
  config: WordsConfig,
  extensions: ['.WORDS'],
  create: (config) => {
    const separator = config.separator === 'space' ? ' ' : ',';
    return {
      contentType: 'text/plain',
      resume: 'byte',
      appendable: config.separator === 'space',
      decoder: () => {
        let text = '';
        const items = (all: boolean) => {
          const parts = text.split(separator);
          text = all ? '' : (parts.pop() as string);
          return parts.filter((w) => w !== '').map((value, index) => ({ kind: 'value' as const, value, text: value, index, line: 1, lastLine: 1, end: 0 }));
        };
        return { settled: { byte: 0, line: 1 }, dataStart: { byte: 0, line: 1 }, push: (chunk) => ((text += Buffer.from(chunk).toString()), items(false)), end: () => items(true), skipTo: () => undefined };
      },
      decodeMessage: (bytes) => Buffer.from(bytes).toString(),
      encoder: () => ({ encode: (values) => ({ data: Buffer.from(values.map((v) => `${String(v)}${separator}`).join('')), failed: [] }), finish: () => Buffer.alloc(0) }),
      encodeMessage: (value) => Buffer.from(String(value)),
    } satisfies Codec;
  },
});

const set = new CodecSet([words], { configDir: '/cfg', logger: silentLogger });

describe('defineCodec', () => {
  it('stamps the kind and the SDK version, and discovery recognises it', () => {
    expect([words.kind, words.sdkVersion]).toEqual(['codec', SDK_VERSION]);
    expect(isPluginDefinition(words)).toBe(true);
  });
});

describe('CodecSet', () => {
  it('finds codecs by name and by file extension (any case)', () => {
    expect(set.names()).toEqual(['words']);
    expect(set.has('words')).toBe(true);
    expect(set.forExtension('.Words')).toBe('words');
    expect(set.forExtension('.csv')).toBeUndefined();
    expect(set.extensions('words')).toEqual(['.words']);
    expect(set.extensions('nothing')).toEqual([]);
  });

  it('creates a codec with validated options, or says what is wrong', () => {
    expect(decodeChunks(set.create('words', { separator: 'comma' }), ['a,b', 'c,d']).map((i) => (i.kind === 'value' ? i.value : i))).toEqual(['a', 'bc', 'd']);
    expect(() => set.create('word')).toThrow(new CodecConfigError('unknown codec "word" (did you mean "words"?)'));
    expect(() => set.create('xml')).toThrow('unknown codec "xml" (installed codecs: words)');
    expect(() => new CodecSet([], { configDir: '/', logger: silentLogger }).create('csv')).toThrow('unknown codec "csv" (no codecs are installed)');
    expect(() => set.create('words', { separator: 'tab' })).toThrow('invalid options for codec "words": separator: must be one of the following values: space, comma');
  });

  it('checks the codecs a config names, with paths relative to the plugin config', () => {
    expect(
      set.check([
        { path: 'format', name: 'wrods' },
        { path: 'value.format', name: 'words', optionsPath: 'value.options', options: { separator: 'tab', extra: 1 } },
        { path: 'format', name: 'words', options: { separator: 'comma' }, appending: true },
        { path: 'format', name: 'words', appending: true },
      ]),
    ).toEqual([
      { path: 'format', message: 'unknown codec "wrods" (did you mean "words"?)' },
      { path: 'value.options.extra', message: 'unknown field' },
      { path: 'value.options.separator', message: 'must be one of the following values: space, comma' },
      { path: 'format', message: 'codec "words" writes one whole document per stream and cannot append to a file written before' },
    ]);
  });

  it('is what codecsOf reads from a plugin context', () => {
    expect(codecsOf({ stage: 'sink', codecs: set })).toBe(set);
    expect(() => codecsOf({ stage: 'sink' })).toThrow('stage "sink": the host gave this plugin no codecs');
    expect(makeCodec(words, { separator: 'space' }).encodeMessage(3).toString()).toBe('3');
  });
});
