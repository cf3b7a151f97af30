/**
 * Per-process figures from Linux /proc: peak resident set (VmHWM) and CPU time of all threads. Other platforms
 * answer null, and the benchmarks report null.
 */
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';

/** Peak resident set size of `pid` in MB (VmHWM: the high-water mark since the process started). */
export function peakRssMb(pid: number): number | null {
  return statusField(pid, 'VmHWM');
}

/** Current resident set size of `pid` in MB. */
export function rssMb(pid: number): number | null {
  return statusField(pid, 'VmRSS');
}

/** Resident anonymous memory of `pid` in MB (the JS heap and malloc; not the store's memory-mapped file pages). */
export function rssAnonMb(pid: number): number | null {
  return statusField(pid, 'RssAnon');
}

function statusField(pid: number, field: string): number | null {
  try {
    const status = readFileSync(`/proc/${pid}/status`, 'utf8');
    const m = new RegExp(`^${field}:\\s+(\\d+)\\s+kB`, 'm').exec(status);
    return m ? Math.round(Number(m[1]) / 102.4) / 10 : null;
  } catch {
    return null;
  }
}

let clockTicks: number | undefined;

/** User + system CPU time of `pid` (every thread: JS, libuv pool, GC, LMDB, prepare workers) in milliseconds. */
export function cpuTimeMs(pid: number): number | null {
  return statCpuMs(`/proc/${pid}/stat`);
}

/**
 * CPU time of the process's main thread alone (JavaScript of requests, commits), in milliseconds: the serial part
 * of the server, whose capacity bounds its throughput whatever the other threads do.
 */
export function mainThreadCpuTimeMs(pid: number): number | null {
  return statCpuMs(`/proc/${pid}/task/${pid}/stat`);
}

function statCpuMs(file: string): number | null {
  try {
    const stat = readFileSync(file, 'utf8');
    // Fields after the parenthesised command name (which may contain spaces): state is field 3, utime 14, stime 15.
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    const ticks = Number(fields[11]) + Number(fields[12]);
    clockTicks ??= ticksPerSecond();
    return (ticks * 1000) / clockTicks;
  } catch {
    return null;
  }
}

function ticksPerSecond(): number {
  try {
    const n = Number(execFileSync('getconf', ['CLK_TCK'], { encoding: 'utf8' }).trim());
    return Number.isFinite(n) && n > 0 ? n : 100;
  } catch {
    return 100;
  }
}
