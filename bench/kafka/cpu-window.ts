import { readFileSync } from 'node:fs';

/** Linux USER_HZ: the unit of utime/stime in /proc/<pid>/stat (100 on every mainstream kernel build). */
const CLOCK_TICKS_PER_SECOND = 100;

/** CPU seconds (user + system, all threads) process `pid` has used so far, or null when it cannot be read. */
export function processCpuSeconds(pid: number): number | null {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    // Fields after "(comm)": state is field 3, utime 14, stime 15 (1-based, see proc(5)).
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    const utime = Number(fields[11]);
    const stime = Number(fields[12]);
    return Number.isFinite(utime) && Number.isFinite(stime) ? (utime + stime) / CLOCK_TICKS_PER_SECOND : null;
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
 * machine), by this Node process (all its threads) and by other processes given by pid.
 */
export class CpuWindow {
  private readonly startedAt = performance.now();
  private readonly ownStart = ownCpuSeconds();
  private readonly othersStart: ReadonlyMap<string, number | null>;

  constructor(private readonly others: Readonly<Record<string, number | null>> = {}) {
    this.othersStart = new Map(Object.entries(others).map(([name, pid]) => [name, pid === null ? null : processCpuSeconds(pid)]));
  }

  /** `{ node: 97, broker: 45, ... }` (percent of one core, integers; null when a process could not be read). */
  stop(): Record<string, number | null> {
    const seconds = (performance.now() - this.startedAt) / 1000;
    const percent = (cpu: number) => Math.round((cpu / seconds) * 100);
    const result: Record<string, number | null> = { node: percent(ownCpuSeconds() - this.ownStart) };
    for (const [name, pid] of Object.entries(this.others)) {
      const start = this.othersStart.get(name);
      const end = pid === null ? null : processCpuSeconds(pid);
      result[name] = start === null || start === undefined || end === null ? null : percent(end - start);
    }
    return result;
  }
}
