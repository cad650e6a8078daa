/**
 * How busy this machine's CPUs were over a stretch of a testbed run: every
 * node of the topology and the load generator share its cores, so a run
 * whose cores were saturated measured queueing for CPU as much as the CDN.
 *
 * Two readings, taken at the start and at the end of the stretch:
 * - the cores' busy time (os.cpus(): every platform Node runs on);
 * - on Linux, CPU pressure stall information (/proc/pressure/cpu, kernel
 *   4.20+): the share of wall time during which at least one runnable task
 *   waited for a core. That is the direct measure of "requests queued behind
 *   CPU work"; busy time alone cannot tell a machine at 100% with no queue
 *   from one with ten processes waiting.
 */
import { readFileSync } from 'node:fs';
import { cpus } from 'node:os';
import { pct, type HostCpuUse } from '@cdnlab/scenario';

export interface HostCpuReading {
  atMs: number;
  cores: number;
  busyMs: number;
  idleMs: number;
  /** Cumulative µs with some task stalled on CPU; absent where the kernel does not say. */
  stallUs?: number;
}

/** `some ... total=N` of /proc/pressure/cpu, or undefined when it cannot be read. */
export function parseCpuPressure(text: string): number | undefined {
  const m = /^some\b.*\btotal=(\d+)/m.exec(text);
  return m ? Number(m[1]) : undefined;
}

function readStallUs(): number | undefined {
  try {
    return parseCpuPressure(readFileSync('/proc/pressure/cpu', 'utf8'));
  } catch {
    return undefined; // not Linux, or PSI turned off (psi=0): busy time alone is reported
  }
}

export function readHostCpu(now = performance.now()): HostCpuReading {
  let busyMs = 0;
  let idleMs = 0;
  const list = cpus();
  for (const c of list) {
    const t = c.times;
    busyMs += t.user + t.nice + t.sys + t.irq;
    idleMs += t.idle;
  }
  return { atMs: now, cores: list.length, busyMs, idleMs, stallUs: readStallUs() };
}

/** What the machine did between two readings (undefined when no time passed or a counter went back). */
export function hostCpuBetween(a: HostCpuReading, b: HostCpuReading): HostCpuUse | undefined {
  const busy = b.busyMs - a.busyMs;
  const total = busy + (b.idleMs - a.idleMs);
  const wallMs = b.atMs - a.atMs;
  if (!(total > 0) || busy < 0 || !(wallMs > 0)) return undefined;
  const out: HostCpuUse = { cores: b.cores, busy: Math.min(1, busy / total) };
  if (a.stallUs !== undefined && b.stallUs !== undefined && b.stallUs >= a.stallUs) out.stalled = Math.min(1, (b.stallUs - a.stallUs) / 1000 / wallMs);
  return out;
}

/** One line for a run's notes, e.g. `host CPU during the workload: 2 cores 93% busy; some process was waiting for a core 71% of the time`. */
export function describeHostCpu(u: HostCpuUse): string {
  const stall = u.stalled === undefined ? '' : `; some process was waiting for a core ${pct(u.stalled)} of the time`;
  return `host CPU during the workload: ${u.cores} core${u.cores === 1 ? '' : 's'} ${pct(u.busy)} busy${stall}`;
}
