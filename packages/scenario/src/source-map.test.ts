import { FileErrors } from './errors';
import { parseYaml, prefixLocator } from './source-map';

const text = [
  'name: demo', //                                 line 1
  'nodes:', //                                     line 2
  '  - id: a', //                                  line 3
  '    cache: { capacity: 64MiB, eviction: lru }', // line 4
  '  - id: "b"', //                                line 5
  'base: &b { x: 1 }', //                          line 6
  'copy: *b', //                                   line 7
  'empty:', //                                     line 8
].join('\n');

describe('parseYaml locator', () => {
  const { value, locate } = parseYaml(text, 'f.yaml');

  it('parses to plain data', () => {
    expect(value).toEqual({ name: 'demo', nodes: [{ id: 'a', cache: { capacity: '64MiB', eviction: 'lru' } }, { id: 'b' }], base: { x: 1 }, copy: { x: 1 }, empty: null });
  });

  it('finds values and keys, 1-based', () => {
    expect(locate(['name'])).toMatchObject({ file: 'f.yaml', line: 1, col: 7, path: ['name'] });
    expect(locate(['nodes', 0, 'cache', 'eviction'])).toMatchObject({ line: 4, col: 41 });
    expect(locate(['nodes', 0, 'cache', 'eviction'], 'key')).toMatchObject({ line: 4, col: 31 });
    expect(locate(['nodes', 1])).toMatchObject({ line: 5, col: 5 });
  });

  it('marks quoted scalars so callers can step past the quote', () => {
    expect(locate(['nodes', 1, 'id'])).toMatchObject({ line: 5, col: 9, quoted: true });
    expect(locate(['nodes', 0, 'id'])).toMatchObject({ line: 3, col: 9, quoted: false });
  });

  it('stops at the deepest node that exists (a missing field is reported at its mapping)', () => {
    expect(locate(['nodes', 0, 'cache', 'maxObject'])).toMatchObject({ line: 4, col: 12, path: ['nodes', 0, 'cache', 'maxObject'] });
    expect(locate(['nodes', 7, 'id'])).toMatchObject({ line: 3, col: 3 });
    // An empty value has no node of its own: its position is the end of the key line.
    expect(locate(['empty', 'x'])).toMatchObject({ line: 8, col: 7 });
  });

  it('follows aliases to their anchor', () => {
    expect(locate(['copy', 'x'])).toMatchObject({ line: 6, col: 15 });
  });

  it('prefixLocator shifts paths into a sub-document', () => {
    expect(prefixLocator(locate, ['nodes', 0])(['cache', 'capacity'])).toMatchObject({ line: 4, col: 24, path: ['nodes', 0, 'cache', 'capacity'] });
  });
});

describe('parseYaml errors', () => {
  const errorsOf = (src: string) => {
    try {
      parseYaml(src, 'bad.yaml');
    } catch (err) {
      return (err as FileErrors).errors.map((e) => e.format());
    }
    throw new Error('expected a failure');
  };

  it('reports syntax errors with the parser position', () => {
    expect(errorsOf('a: 1\nb: [1, 2\n')).toEqual(['bad.yaml:3:1: YAML syntax error: Flow sequence in block collection must be sufficiently indented and end with a ]']);
    expect(errorsOf('a:\n  - x\n   y: 1\n')).toEqual(['bad.yaml:2:5: YAML syntax error: Implicit keys need to be on a single line']);
  });

  it('rejects duplicate keys, which YAML forbids and which would otherwise hide a value', () => {
    expect(errorsOf('a: 1\nb: 2\na: 3\n')).toEqual(['bad.yaml:3:1: YAML syntax error: Map keys must be unique']);
  });

  it('refuses alias bombs', () => {
    const bomb = ['a: &a [x, x, x, x, x, x, x, x, x, x]', 'b: &b [*a, *a, *a, *a, *a, *a, *a, *a, *a, *a]', 'c: &c [*b, *b, *b, *b, *b, *b, *b, *b, *b, *b]', 'd: [*c, *c, *c, *c, *c, *c, *c, *c, *c, *c]'].join('\n');
    expect(errorsOf(bomb)[0]).toMatch(/^bad\.yaml:1:1: YAML error: .*alias/i);
  });
});
