import { pathGlob } from './path-glob';

describe('pathGlob', () => {
  it('matches * within one segment and ** across segments, the rest literally', () => {
    expect(pathGlob('/a/*').test('/a/b')).toBe(true);
    expect(pathGlob('/a/*').test('/a/b/c')).toBe(false);
    expect(pathGlob('/a/**').test('/a/b/c')).toBe(true);
    expect(pathGlob('/a.css').test('/aXcss')).toBe(false);
    expect(pathGlob('/img/*.jpg').test('/img/1.jpg')).toBe(true);
    expect(pathGlob('/img/*.jpg').test('/img/1.png')).toBe(false);
    expect(pathGlob('/(a)+[b]').test('/(a)+[b]')).toBe(true);
  });

  it('refuses a glob that is not a path', () => {
    expect(() => pathGlob('a/*')).toThrow('expected a path glob starting with "/", got "a/*"');
    expect(() => pathGlob(3 as unknown as string)).toThrow('expected a path glob starting with "/", got 3');
  });
});
