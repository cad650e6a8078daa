/** The run a command acts on, from the state file that `cdnlab up` wrote. */
import { defaultStateFile, readState, selectRun, StateError, type NodeState, type RunState } from '@cdnlab/launcher';
import { CliError } from './cli-error';

export interface RunContext {
  stateFile: string;
  run: RunState;
}

export function currentRun(prefix: string | undefined): RunContext {
  const stateFile = defaultStateFile();
  try {
    return { stateFile, run: selectRun(readState(stateFile), prefix) };
  } catch (err) {
    if (err instanceof StateError) throw new CliError(err.message);
    throw err;
  }
}

export function findNode(run: RunState, id: string): NodeState {
  const node = run.nodes.find((n) => n.id === id);
  if (!node) throw new CliError(`no node ${JSON.stringify(id)} in ${run.topology}; nodes: ${run.nodes.map((n) => n.id).join(', ')}`, 2);
  return node;
}

/** Commander option parser for positive integers, with the option named in the message. */
export function intOption(name: string, min: number, max = Number.MAX_SAFE_INTEGER) {
  return (value: string): number => {
    const n = Number(value);
    if (!/^-?\d+$/.test(value) || n < min || n > max) throw new CliError(`expected ${name} to be an integer in [${min}, ${max}], got ${JSON.stringify(value)}`, 2);
    return n;
  };
}
