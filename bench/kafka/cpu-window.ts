import { readFileSync } from 'node:fs';

/** Linux USER_HZ: the unit of the tick counts in /proc (100 on every mainstream kernel build). */
const CLOCK_TICKS_PER_SECOND = 100;

/** Fields of /proc/<pid>/stat after "(comm) ", 0-based: utime, stime, cutime, cstime (proc(5) fields 14-17). */
const UTIME = 11;
const CUTIME = 13;

function statFields(pid: number | 'self'): string[] | null {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    return stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  } catch {
    return null;
  }
}

const ticks = (fields: string[] | null, first: number): number | null => {
  if (!fields) return null;
  const sum = Number(fields[first]) + Number(fields[first + 1]);
  return Number.isFinite(sum) ? sum / CLOCK_TICKS_PER_SECOND : null;
};

/** CPU seconds (user + system, all threads) process `pid` has used so far, or null when it cannot be read. */
export function processCpuSeconds(pid: number): number | null {
  return ticks(statFields(pid), UTIME);
}

/** CPU seconds of this process's children that ended and were waited for (the perf tools' JVMs). */
function childrenCpuSeconds(): number {
  return ticks(statFields('self'), CUTIME) ?? 0;
}

/** CPU seconds the whole machine was busy (every core, everything but idle and iowait), from /proc/stat. */
function machineBusySeconds(): number | null {
  try {
    const cpu = readFileSync('/proc/stat', 'utf8').split('\n')[0].trim().split(/\s+/).slice(1).map(Number);
    // user nice system idle iowait irq softirq steal (guest time is already inside user/nice)
    const [user, nice, system, , , irq, softirq, steal] = cpu;
    return (user + nice + system + irq + softirq + (steal ?? 0)) / CLOCK_TICKS_PER_SECOND;
  } catch {
    return null;
  }
}

const ownCpuSeconds = () => {
  const { user, system } = process.cpuUsage();
  return (user + system) / 1e6;
};

/**
 * CPU used during a measurement window, as a percentage of one core (200 % = both cores of this
 * machine): by this Node process (all its threads), by its finished children (`tools`), by other
 * processes given by pid, and by everything else on the machine (`others`: what the measurement
 * competed with, e.g. other people's test runs).
 */
export class CpuWindow {
  private readonly startedAt = performance.now();
  private readonly ownStart = ownCpuSeconds();
  private readonly childrenStart = childrenCpuSeconds();
  private readonly machineStart = machineBusySeconds();
  private readonly othersStart: ReadonlyMap<string, number | null>;

  constructor(private readonly processes: Readonly<Record<string, number | null>> = {}) {
    this.othersStart = new Map(Object.entries(processes).map(([name, pid]) => [name, pid === null ? null : processCpuSeconds(pid)]));
  }

  /** `{ node: 97, tools: 0, broker: 45, ..., others: 30 }` (integers; null when a process could not be read). */
  stop(): Record<string, number | null> {
    const seconds = (performance.now() - this.startedAt) / 1000;
    const percent = (cpu: number) => Math.round((cpu / seconds) * 100);
    const node = ownCpuSeconds() - this.ownStart;
    const tools = childrenCpuSeconds() - this.childrenStart;
    const machineEnd = machineBusySeconds();
    const result: Record<string, number | null> = { node: percent(node), tools: percent(tools) };
    let accounted = node + tools;
    for (const [name, pid] of Object.entries(this.processes)) {
      const start = this.othersStart.get(name);
      const end = pid === null ? null : processCpuSeconds(pid);
      const used = start === null || start === undefined || end === null ? null : end - start;
      result[name] = used === null ? null : percent(used);
      accounted += used ?? 0;
    }
    result.others = this.machineStart === null || machineEnd === null ? null : Math.max(0, percent(machineEnd - this.machineStart - accounted));
    return result;
  }
}
