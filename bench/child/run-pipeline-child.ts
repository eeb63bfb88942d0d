// Runs one scenario config in a child process (pipeline-child.ts) and returns its report plus the
// wall time the parent saw. The child's stdout (Sluice's warnings) and stderr go to this process's
// stderr, so the bench's stdout carries only its JSON lines. With BENCH_CPU_PROF=<folder>, the
// child runs under `node --cpu-prof` and leaves its .cpuprofile there (summarise it with
// `node dist/bench/profile/cpu-profile-summary.js <file>`).
import { spawn } from 'node:child_process';
import { mkdirSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parsePipelineChildReport, type PipelineChildReport } from './pipeline-child-report.js';

const childScript = join(dirname(fileURLToPath(import.meta.url)), 'pipeline-child.js');

export interface PipelineChildRun extends PipelineChildReport {
  /** Seconds from spawning the child to its exit, as the parent saw them. */
  readonly processSeconds: number;
  /** The CPU profile folder, when BENCH_CPU_PROF asked for one. */
  readonly cpuProfileDir?: string;
}

export async function runPipelineChild(configFile: string, env: NodeJS.ProcessEnv): Promise<PipelineChildRun> {
  const profileDir = process.env.BENCH_CPU_PROF?.trim() ? resolve(process.env.BENCH_CPU_PROF.trim()) : undefined;
  const nodeArgs: string[] = [];
  if (profileDir) {
    mkdirSync(profileDir, { recursive: true });
    nodeArgs.push('--cpu-prof', `--cpu-prof-dir=${profileDir}`);
  }
  const started = performance.now();
  const child = spawn(process.execPath, [...nodeArgs, childScript, configFile], {
    env: { ...process.env, ...env },
    stdio: ['ignore', 'pipe', 'pipe', 'pipe'],
  });
  child.stdout!.pipe(process.stderr, { end: false });
  child.stderr!.pipe(process.stderr, { end: false });
  const chunks: Buffer[] = [];
  const report = child.stdio[3] as NodeJS.ReadableStream;
  report.on('data', (chunk: Buffer) => chunks.push(chunk));
  const code = await new Promise<number | null>((done, fail) => {
    child.once('error', fail);
    child.once('close', (exitCode, signal) => done(signal ? -1 : exitCode));
  });
  const processSeconds = Number(((performance.now() - started) / 1000).toFixed(3));
  if (code !== 0) throw new Error(`the bench child for ${configFile} exited with ${code === -1 ? 'a signal' : `code ${code}`} (its error is on stderr above)`);
  return { ...parsePipelineChildReport(Buffer.concat(chunks).toString('utf8')), processSeconds, ...(profileDir ? { cpuProfileDir: profileDir } : {}) };
}
