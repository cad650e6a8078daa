/**
 * Overrides: a scenario's `topology.overrides`, a variant's `overrides` and the
 * `quick` profile are all partial documents laid over a base document.
 *
 * The rules are those of JSON Merge Patch (RFC 7396) with one addition:
 * - mappings merge key by key, recursively;
 * - `null` removes a key;
 * - a list whose items all carry an `id` (or all a `name`) on both sides merges
 *   item by item on that key, appending items the base does not have, so a
 *   variant can change one node (`nodes: [{id: shield, cache: {collapsing: off}}]`)
 *   without restating the others;
 * - any other value, lists included, replaces the base value.
 *
 * The merge remembers which parts came from the override, so an error found
 * in the merged result is reported at the line of the override that caused it.
 */
import type { DocPath } from './errors';
import type { LocateAt, Locator, Position } from './source-map';

export interface Layer {
  value: unknown;
  locate: Locator;
}

type Plain = Record<string, unknown>;

function isPlain(v: unknown): v is Plain {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/** The key lists merge on, if both lists are keyed by the same field. */
function listKey(base: unknown[], over: unknown[]): 'id' | 'name' | undefined {
  for (const k of ['id', 'name'] as const) {
    const keyed = (xs: unknown[]) => xs.every((x) => isPlain(x) && typeof x[k] === 'string');
    if (over.length > 0 && keyed(base) && keyed(over)) return k;
  }
  return undefined;
}

interface Owned {
  merged: DocPath;
  over: DocPath;
}

/** Lays `over` on `base` and returns the merged value with a locator that knows where each part came from. */
export function mergeLayers(base: Layer, over: Layer): Layer {
  const owned: Owned[] = [];

  const merge = (b: unknown, o: unknown, mp: DocPath, op: DocPath): unknown => {
    if (isPlain(b) && isPlain(o)) {
      const out: Plain = { ...b };
      for (const [k, v] of Object.entries(o)) {
        if (v === null) delete out[k];
        else if (k in b) out[k] = merge(b[k], v, [...mp, k], [...op, k]);
        else {
          out[k] = v;
          owned.push({ merged: [...mp, k], over: [...op, k] });
        }
      }
      return out;
    }
    if (Array.isArray(b) && Array.isArray(o)) {
      const key = listKey(b, o);
      if (key) {
        const out = [...b];
        o.forEach((item, j) => {
          const i = b.findIndex((x) => (x as Plain)[key] === (item as Plain)[key]);
          if (i >= 0) out[i] = merge(b[i], item, [...mp, i], [...op, j]);
          else {
            owned.push({ merged: [...mp, out.length], over: [...op, j] });
            out.push(item);
          }
        });
        return out;
      }
    }
    owned.push({ merged: mp, over: op });
    return o;
  };

  const value = merge(base.value, over.value, [], []);

  const locate = (path: DocPath, at?: LocateAt): Position => {
    let best: Owned | undefined;
    for (const o of owned) {
      if (o.merged.length <= path.length && o.merged.every((s, i) => s === path[i])) {
        if (!best || o.merged.length > best.merged.length) best = o;
      }
    }
    if (!best) return base.locate(path, at);
    return over.locate([...best.over, ...path.slice(best.merged.length)], at);
  };
  return { value, locate };
}
