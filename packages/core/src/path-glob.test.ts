import { MAX_PATH_GLOB_LENGTH, pathGlob } from './path-glob';
import { createRng } from './rng';

/** A clock for the tests that bound how long matching hostile input takes; the matcher itself reads none. */
// eslint-disable-next-line no-restricted-properties -- the test times the code under test; core code still takes time as an argument
const elapsedSince = (start: number): number => performance.now() - start;
// eslint-disable-next-line no-restricted-properties -- as above
const startClock = (): number => performance.now();

/** What the glob means, as a backtracking RegExp: fine for short inputs, the reference the matcher must agree with. */
function referenceRegExp(glob: string): RegExp {
  let re = '';
  for (let i = 0; i < glob.length; i++) {
    if (glob[i] === '*') {
      if (glob[i + 1] === '*') {
        re += '[\\s\\S]*';
        i++;
      } else re += '[^/]*';
    } else re += glob[i].replace(/[.+?^${}()|[\]\\]/g, '\\$&');
  }
  return new RegExp(`^${re}$`);
}

describe('pathGlob', () => {
  it('matches * within one segment and ** across segments, the rest literally', () => {
    expect(pathGlob('/a/*').test('/a/b')).toBe(true);
    expect(pathGlob('/a/*').test('/a/b/c')).toBe(false);
    expect(pathGlob('/a/**').test('/a/b/c')).toBe(true);
    expect(pathGlob('/a.css').test('/aXcss')).toBe(false);
    expect(pathGlob('/img/*.jpg').test('/img/1.jpg')).toBe(true);
    expect(pathGlob('/img/*.jpg').test('/img/1.png')).toBe(false);
    expect(pathGlob('/(a)+[b]').test('/(a)+[b]')).toBe(true);
    expect(pathGlob('/**/x/*').test('/a/b/x/c')).toBe(true);
    expect(pathGlob('/**/x/*').test('/a/b/x/c/d')).toBe(false);
    expect(pathGlob('/*').test('/')).toBe(true);
  });

  it('refuses a glob that is not a path, or one longer than the cap', () => {
    expect(() => pathGlob('a/*')).toThrow('expected a path glob starting with "/", got "a/*"');
    expect(() => pathGlob(3 as unknown as string)).toThrow('expected a path glob starting with "/", got 3');
    expect(() => pathGlob(`/${'a'.repeat(MAX_PATH_GLOB_LENGTH)}`)).toThrow(`expected a path glob of at most ${MAX_PATH_GLOB_LENGTH} characters, got ${MAX_PATH_GLOB_LENGTH + 1}`);
  });

  it('agrees with the backtracking reference on seeded random globs and paths', () => {
    const rng = createRng(20240607);
    const alphabet = ['a', 'b', '/', '*', '.'];
    const pick = (chars: string[], max: number): string => Array.from({ length: rng.nextInt(max) }, () => chars[rng.nextInt(chars.length)]).join('');
    for (let i = 0; i < 2000; i++) {
      const glob = `/${pick(alphabet, 8)}`;
      const path = `/${pick(['a', 'b', '/', '.'], 10)}`;
      expect([glob, path, pathGlob(glob).test(path)]).toEqual([glob, path, referenceRegExp(glob).test(path)]);
    }
  });

  // Before, the glob compiled to ^/.*a.*a.*a.*b$, which backtracks through
  // every way of splitting the path: seconds for a few hundred characters.
  it('matches in time proportional to glob x path, whatever the wildcards', () => {
    const started = startClock();
    expect(pathGlob('/**a**a**a**b').test(`/${'a'.repeat(400)}`)).toBe(false);
    expect(pathGlob('/**/a/**/b/**/c').test(`/${'a/b/'.repeat(1000)}x`)).toBe(false);
    expect(elapsedSince(started)).toBeLessThan(1000);
  });

  it('costs milliseconds for the longest glob against a long path', () => {
    const started = startClock();
    const glob = `/${'*a'.repeat((MAX_PATH_GLOB_LENGTH - 2) / 2)}b`;
    expect(pathGlob(glob).test(`/${'a'.repeat(16_000)}`)).toBe(false);
    expect(elapsedSince(started)).toBeLessThan(1000);
  });
});
