/**
 * Signals to processes known only by pid (from the state file), and the
 * checks that a pid is still one of ours.
 */
import { readFileSync } from 'node:fs';

/** True when `pid` exists and we may signal it. */
export function isAlive(pid: number): boolean {
  if (!Number.isInteger(pid) || pid <= 0) return false;
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/**
 * True when `pid` is alive and, where /proc tells, still runs `entry`: a pid
 * in an old state file may by now belong to something else, which we must
 * never signal. On /proc-less systems (macOS) liveness alone decides.
 */
export function isOurs(pid: number, entry: string): boolean {
  if (!isAlive(pid)) return false;
  let cmdline: string;
  try {
    cmdline = readFileSync(`/proc/${pid}/cmdline`, 'utf8');
  } catch {
    return process.platform !== 'linux';
  }
  // A zombie has an empty cmdline: it is dead, only not yet reaped.
  return cmdline.split('\0').includes(entry);
}

export function signal(pid: number, sig: NodeJS.Signals): boolean {
  try {
    process.kill(pid, sig);
    return true;
  } catch {
    return false;
  }
}

const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));

/**
 * SIGTERM every pid (after SIGCONT, since a stopped process cannot act on
 * SIGTERM), wait up to `graceMs` for them to go, then SIGKILL the rest.
 * `alive` says whether a pid still counts (default isAlive). Resolves with
 * the pids that had to be killed.
 */
export async function terminate(pids: readonly number[], graceMs: number, alive: (pid: number) => boolean = isAlive): Promise<number[]> {
  const live = pids.filter(alive);
  for (const pid of live) {
    signal(pid, 'SIGCONT');
    signal(pid, 'SIGTERM');
  }
  const deadline = Date.now() + graceMs;
  while (live.some(alive) && Date.now() < deadline) await sleep(50);
  const stubborn = live.filter(alive);
  for (const pid of stubborn) signal(pid, 'SIGKILL');
  const killDeadline = Date.now() + 2000;
  while (stubborn.some(alive) && Date.now() < killDeadline) await sleep(20);
  return stubborn;
}
