import { editDistance, nearest } from './schema-validate';

describe('did-you-mean', () => {
  it('counts an adjacent swap as one edit, ignores case', () => {
    expect(editDistance('cahce', 'cache')).toBe(1);
    expect(editDistance('Cache', 'cache')).toBe(0);
    expect(editDistance('lruu', 'lru')).toBe(1);
    expect(editDistance('', 'abc')).toBe(3);
    expect(editDistance('kitten', 'sitting')).toBe(3);
  });

  it('suggests only close names', () => {
    expect(nearest('capacty', ['capacity', 'eviction'])).toBe('capacity');
    expect(nearest('zzz', ['capacity', 'eviction'])).toBeUndefined();
    expect(nearest('x', [])).toBeUndefined();
  });
});
