import type { ParentCall } from '@cdnlab/rpc';

/**
 * The absolute deadline (epoch ms) of work done for `parent`: our own budget,
 * cut short by the caller's deadline when it has an earlier one (STYLE 9).
 */
export function deadlineFor(now: number, budgetMs: number, parent?: ParentCall): number {
  const own = now + budgetMs;
  const theirs = parent?.getDeadline();
  const ms = theirs instanceof Date ? theirs.getTime() : theirs;
  return typeof ms === 'number' && Number.isFinite(ms) ? Math.min(own, ms) : own;
}
