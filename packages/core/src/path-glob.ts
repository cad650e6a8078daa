/** The path of a request target: what path globs match, without its query or fragment. */
export function pathOfTarget(target: string): string {
  const q = target.search(/[?#]/);
  return q === -1 ? target : target.slice(0, q);
}

/**
 * Path globs as every file and command of cdnlab reads them (origin path
 * rules, TTL overrides, faults, client groups of a trace): `*` matches
 * within one path segment, `**` across segments, everything else literally.
 */
export function pathGlob(glob: string): RegExp {
  if (typeof glob !== 'string' || !glob.startsWith('/')) throw new TypeError(`expected a path glob starting with "/", got ${JSON.stringify(glob)}`);
  let re = '';
  for (let i = 0; i < glob.length; i++) {
    if (glob[i] === '*') {
      if (glob[i + 1] === '*') {
        re += '.*';
        i++;
      } else re += '[^/]*';
    } else re += glob[i].replace(/[.+?^${}()|[\]\\]/g, '\\$&');
  }
  return new RegExp(`^${re}$`);
}
