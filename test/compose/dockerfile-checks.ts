/**
 * Static checks of the Sluice Dockerfile and its .dockerignore, for machines without a Docker
 * engine (where `docker build` cannot run): the files it copies from the build context exist and
 * are not ignored, the runtime stage runs as a non-root user, is health-checked and starts the
 * CLI that package.json declares. Every problem is a message naming the instruction's line.
 */
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import picomatch from 'picomatch';

export interface Instruction {
  readonly keyword: string;
  /** The arguments, continuation lines joined. */
  readonly args: string;
  /** 1-based line of the instruction's first line. */
  readonly line: number;
  /** Index of the build stage (FROM) the instruction belongs to. */
  readonly stage: number;
}

/** Splits a Dockerfile into instructions (comments dropped, `\` continuations joined). */
export function parseDockerfile(text: string): Instruction[] {
  const instructions: Instruction[] = [];
  const lines = text.split('\n');
  let stage = -1;
  for (let i = 0; i < lines.length; i++) {
    const first = lines[i]!.trim();
    if (first === '' || first.startsWith('#')) continue;
    const start = i;
    let joined = lines[i]!.trimEnd();
    while (joined.endsWith('\\') && i + 1 < lines.length) {
      joined = joined.slice(0, -1);
      i += 1;
      const next = lines[i]!.trim();
      if (!next.startsWith('#')) joined += ' ' + next;
    }
    const match = /^\s*([A-Za-z]+)\s*(.*)$/.exec(joined);
    if (!match) continue;
    const keyword = match[1]!.toUpperCase();
    if (keyword === 'FROM') stage += 1;
    instructions.push({ keyword, args: match[2]!.trim(), line: start + 1, stage: Math.max(stage, 0) });
  }
  return instructions;
}

/** The JSON (exec) form of CMD/ENTRYPOINT/HEALTHCHECK CMD arguments, or undefined for the shell form. */
export function execForm(args: string): string[] | undefined {
  if (!args.startsWith('[')) return undefined;
  try {
    const parsed: unknown = JSON.parse(args);
    return Array.isArray(parsed) && parsed.every((a) => typeof a === 'string') ? (parsed as string[]) : undefined;
  } catch {
    return undefined;
  }
}

/** `ENV A=1 B=2` (and the legacy `ENV A 1`) of one stage, in order. */
export function envOf(instructions: readonly Instruction[], stage: number): Record<string, string> {
  const env: Record<string, string> = {};
  for (const ins of instructions) {
    if (ins.keyword !== 'ENV' || ins.stage !== stage) continue;
    if (!ins.args.includes('=')) {
      const [name, ...rest] = ins.args.split(/\s+/);
      env[name!] = rest.join(' ');
      continue;
    }
    for (const match of ins.args.matchAll(/([A-Za-z_][A-Za-z0-9_]*)=("([^"]*)"|'([^']*)'|(\S*))/g)) {
      env[match[1]!] = match[3] ?? match[4] ?? match[5] ?? '';
    }
  }
  return env;
}

/**
 * A .dockerignore matcher: each line is a pattern (Go filepath.Match syntax with `**`), `!`
 * re-includes, the last matching line wins, and a pattern that matches a folder excludes
 * everything below it.
 */
export function dockerignore(text: string): (path: string) => boolean {
  const rules = text
    .split('\n')
    .map((l) => l.trim())
    .filter((l) => l !== '' && !l.startsWith('#'))
    .map((l) => {
      const negate = l.startsWith('!');
      const pattern = (negate ? l.slice(1) : l).trim().replace(/^\/+/, '').replace(/\/+$/, '');
      return { negate, match: picomatch(pattern, { dot: true }) };
    });
  return (path: string) => {
    const clean = path.replace(/^\.\/+/, '').replace(/\/+$/, '');
    const segments = clean.split('/');
    // The path itself and each of its parent folders.
    const candidates = segments.map((_, i) => segments.slice(0, i + 1).join('/'));
    let excluded = false;
    for (const rule of rules) {
      if (candidates.some((c) => rule.match(c))) excluded = !rule.negate;
    }
    return excluded;
  };
}

export interface DockerfileFacts {
  readonly instructions: Instruction[];
  readonly finalStage: number;
  readonly env: Record<string, string>;
  readonly cmd?: string[];
  readonly exposed: string[];
  readonly user?: string;
  readonly healthcheck?: string;
}

export function factsOf(text: string): DockerfileFacts {
  const instructions = parseDockerfile(text);
  const finalStage = Math.max(0, ...instructions.map((i) => i.stage));
  const last = (keyword: string) => [...instructions].reverse().find((i) => i.keyword === keyword && i.stage === finalStage);
  return {
    instructions,
    finalStage,
    env: envOf(instructions, finalStage),
    cmd: last('CMD') ? execForm(last('CMD')!.args) : undefined,
    exposed: instructions.filter((i) => i.keyword === 'EXPOSE' && i.stage === finalStage).flatMap((i) => i.args.split(/\s+/).map((p) => p.replace(/\/tcp$/, ''))),
    user: last('USER')?.args,
    healthcheck: last('HEALTHCHECK')?.args,
  };
}

/**
 * Checks the Dockerfile at `root` against the repository: context files, non-root user, health
 * check on /health/live, EXPOSE, and a CMD that runs package.json's `sluice` bin on a config file
 * that exists.
 */
export function checkDockerfile(root: string, dockerfileText: string, dockerignoreText: string): string[] {
  const problems: string[] = [];
  const facts = factsOf(dockerfileText);
  const ignored = dockerignore(dockerignoreText);
  const at = (ins: Instruction) => `Dockerfile:${ins.line} ${ins.keyword}`;

  for (const ins of facts.instructions) {
    if (ins.keyword !== 'COPY' && ins.keyword !== 'ADD') continue;
    const words = ins.args.startsWith('[') ? (execForm(ins.args) ?? []) : ins.args.split(/\s+/);
    if (words.some((w) => w.startsWith('--from='))) continue;
    const paths = words.filter((w) => !w.startsWith('--'));
    for (const source of paths.slice(0, -1)) {
      if (!existsSync(join(root, source))) problems.push(`${at(ins)}: ${source} does not exist in the build context`);
      else if (ignored(source)) problems.push(`${at(ins)}: ${source} is excluded by .dockerignore, so the build cannot copy it`);
    }
  }

  const runs = facts.instructions.filter((i) => i.keyword === 'RUN').map((i) => i.args);
  if (runs.some((r) => /\bnpm ci\b/.test(r))) problems.push('Dockerfile: uses `npm ci`, which this project does not support (README): use `npm install`');
  if (!runs.some((r) => /\bnpm install\b/.test(r))) problems.push('Dockerfile: no RUN installs the dependencies (`npm install`)');
  if (!runs.some((r) => /\bnpm run build\b/.test(r))) problems.push('Dockerfile: no RUN builds the project (`npm run build`)');

  if (!facts.user || /^(root|0)(:|$)/.test(facts.user)) problems.push(`Dockerfile: the runtime stage must switch to a non-root USER (now: ${facts.user ?? 'none'})`);
  if (!facts.healthcheck || !facts.healthcheck.includes('/health/live')) problems.push('Dockerfile: the runtime stage needs a HEALTHCHECK on /health/live');
  if (facts.env.SLUICE_HTTP_HOST !== '0.0.0.0') problems.push('Dockerfile: ENV SLUICE_HTTP_HOST=0.0.0.0 is needed, or the published port reaches nothing');
  const port = facts.env.SLUICE_HTTP_PORT ?? '3000';
  if (!facts.exposed.includes(port)) problems.push(`Dockerfile: EXPOSE ${port} (the HTTP port) is missing`);

  const packageJson = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')) as { bin?: Record<string, string> };
  const bin = packageJson.bin?.sluice;
  const cmd = facts.cmd;
  if (!cmd) problems.push('Dockerfile: CMD must use the exec form ["node", ...], so that node is PID 1 and receives SIGTERM');
  else {
    if (cmd[0] !== 'node' || cmd[1] !== bin) problems.push(`Dockerfile: CMD must run node ${bin} (package.json bin.sluice), not ${cmd.slice(0, 2).join(' ')}`);
    if (cmd[2] !== 'run' || !cmd[3]) problems.push('Dockerfile: CMD must be `run <config>`');
    else if (!existsSync(join(root, cmd[3]))) problems.push(`Dockerfile: CMD runs ${cmd[3]}, which does not exist`);
  }
  return problems;
}
