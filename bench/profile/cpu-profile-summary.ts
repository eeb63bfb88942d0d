// Summarises a V8 CPU profile (`node --cpu-prof`, e.g. a bench child run with BENCH_CPU_PROF=<dir>):
// self time by file and the top functions by self time.
//   node dist/bench/profile/cpu-profile-summary.js <file.cpuprofile> [top=25]
import { readFileSync } from 'node:fs';

interface ProfileNode {
  readonly id: number;
  readonly callFrame: { readonly functionName: string; readonly url: string; readonly lineNumber: number };
}

interface CpuProfile {
  readonly nodes: readonly ProfileNode[];
  readonly samples: readonly number[];
  readonly timeDeltas: readonly number[];
}

const cwd = `${process.cwd()}/`;

/**
 * Where a frame's code lives: the path under the working directory (run it from the repository),
 * under node_modules, or V8's own labels; code without a file (native functions, and code compiled
 * at run time such as ajv's validators) is "(no file)".
 */
function frameFile(url: string, functionName: string): string {
  if (!url) return functionName.startsWith('(') ? functionName : '(no file)';
  const path = url.replace(/^file:\/\//, '');
  const modules = path.lastIndexOf('/node_modules/');
  if (modules >= 0) return `node_modules/${path.slice(modules + '/node_modules/'.length)}`;
  return path.startsWith(cwd) ? path.slice(cwd.length) : path;
}

/** The part of the system a file belongs to: a plugin, a library, an npm package, Node itself. */
function component(file: string): string {
  const match =
    /^node_modules\/((?:@[^/]+\/)?[^/]+)/.exec(file) ??
    /^dist\/(plugins\/[^/]+|libs\/[^/]+|bench|apps\/[^/]+)\//.exec(file) ??
    /^libs\/(sdk)\/dist\//.exec(file);
  if (match) return match[1]!;
  if (file.startsWith('node:')) return 'node (internals)';
  return file;
}

function summariseCpuProfile(profile: CpuProfile, top: number): string {
  const byId = new Map(profile.nodes.map((n) => [n.id, n]));
  const selfByNode = new Map<number, number>();
  let total = 0;
  profile.samples.forEach((id, i) => {
    const delta = profile.timeDeltas[i] ?? 0;
    selfByNode.set(id, (selfByNode.get(id) ?? 0) + delta);
    total += delta;
  });
  const byFile = new Map<string, number>();
  const byComponent = new Map<string, number>();
  const byFunction = new Map<string, number>();
  for (const [id, micros] of selfByNode) {
    const frame = byId.get(id)!.callFrame;
    const file = frameFile(frame.url, frame.functionName);
    byFile.set(file, (byFile.get(file) ?? 0) + micros);
    byComponent.set(component(file), (byComponent.get(component(file)) ?? 0) + micros);
    const name = `${frame.functionName || '(anonymous)'}  ${file}${frame.url ? `:${frame.lineNumber + 1}` : ''}`;
    byFunction.set(name, (byFunction.get(name) ?? 0) + micros);
  }
  const table = (title: string, entries: Map<string, number>) => {
    const rows = [...entries].sort((a, b) => b[1] - a[1]).slice(0, top);
    return [title, ...rows.map(([name, micros]) => `${((100 * micros) / total).toFixed(1).padStart(5)}%  ${(micros / 1000).toFixed(0).padStart(7)} ms  ${name}`)].join('\n');
  };
  return [`total ${(total / 1000).toFixed(0)} ms sampled`, table('self time by component:', byComponent), table('self time by file:', byFile), table('self time by function:', byFunction)].join('\n\n');
}

const file = process.argv[2];
if (!file) {
  process.stderr.write('usage: node dist/bench/profile/cpu-profile-summary.js <file.cpuprofile> [top]\n');
  process.exit(2);
}
process.stdout.write(`${summariseCpuProfile(JSON.parse(readFileSync(file, 'utf8')) as CpuProfile, Number(process.argv[3] ?? 25))}\n`);
