import { afterAll, afterEach, describe, expect, it, jest } from '@jest/globals';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { runCommand } from './run-command.js';
import { validateCommand } from './validate-command.js';

const dir = mkdtempSync(join(tmpdir(), 'sluice-cli-yaml-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
afterEach(() => {
  jest.restoreAllMocks();
});

/** Runs a CLI command; returns its exit code and what it printed on stderr. */
async function run(command: () => Promise<number>): Promise<{ code: number; stderr: string }> {
  let stderr = '';
  jest.spyOn(process.stdout, 'write').mockImplementation(() => true);
  jest.spyOn(process.stderr, 'write').mockImplementation((chunk: string | Uint8Array) => {
    stderr += String(chunk);
    return true;
  });
  const code = await command();
  jest.restoreAllMocks();
  return { code, stderr };
}

describe('sluice validate / run: YAML that cannot be expanded', () => {
  const file = join(dir, 'cycle.yaml');
  writeFileSync(file, ['pipelines:', '  - name: demo', '    source: { plugin: generator }', '    sink: { plugin: file, config: { path: out.jsonl } }', '    transforms: &loop [*loop]', ''].join('\n'));
  const expected = `${file}:5 pipelines[0].transforms[0]: YAML alias *loop is inside the value of its own anchor &loop (line 5): a value cannot contain itself\n`;

  it('validate exits 2 with a file:line path: message line for an alias cycle, not a stack overflow', async () => {
    expect(await run(() => validateCommand(file))).toEqual({ code: 2, stderr: expected });
  });

  it('run refuses it the same way before starting anything', async () => {
    expect(await run(() => runCommand(file))).toEqual({ code: 2, stderr: expected });
  });
});
