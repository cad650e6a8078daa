import { mergeLayers } from './deep-merge';
import { parseYaml } from './source-map';

const base = parseYaml(
  ['a: 1', 'obj: { x: 1, y: 2 }', 'list: [1, 2]', 'nodes:', '  - { id: n1, v: 1 }', '  - { id: n2, v: 2 }'].join('\n'),
  'base.yaml',
);
const over = parseYaml(['obj: { y: 20, z: 30 }', 'list: [9]', 'a: null', 'nodes:', '  - { id: n2, v: 22 }', '  - { id: n3, v: 3 }'].join('\n'), 'over.yaml');

describe('mergeLayers', () => {
  const merged = mergeLayers(base, over);

  it('merges mappings, replaces lists, removes on null, merges id-keyed lists by id', () => {
    expect(merged.value).toEqual({
      obj: { x: 1, y: 20, z: 30 },
      list: [9],
      nodes: [
        { id: 'n1', v: 1 },
        { id: 'n2', v: 22 },
        { id: 'n3', v: 3 },
      ],
    });
  });

  it('does not modify its inputs', () => {
    expect(base.value).toMatchObject({ a: 1, obj: { x: 1, y: 2 }, list: [1, 2] });
  });

  it('locates each part in the file it came from', () => {
    expect(merged.locate(['obj', 'x'])).toMatchObject({ file: 'base.yaml', line: 2, col: 11 });
    expect(merged.locate(['obj', 'y'])).toMatchObject({ file: 'over.yaml', line: 1, col: 11, path: ['obj', 'y'] });
    expect(merged.locate(['list', 0])).toMatchObject({ file: 'over.yaml', line: 2, col: 8 });
    expect(merged.locate(['nodes', 0, 'v'])).toMatchObject({ file: 'base.yaml', line: 5, col: 18 });
    // n2 is base index 1 and override index 0; n3 is appended at 2 from override index 1.
    expect(merged.locate(['nodes', 1, 'v'])).toMatchObject({ file: 'over.yaml', line: 5, col: 18, path: ['nodes', 0, 'v'] });
    expect(merged.locate(['nodes', 2, 'id'])).toMatchObject({ file: 'over.yaml', line: 6, col: 11, path: ['nodes', 1, 'id'] });
  });

  it('stacks: a second override wins over the first and is located in its own file', () => {
    const third = parseYaml('obj: { y: 200 }', 'third.yaml');
    const twice = mergeLayers(merged, third);
    expect(twice.value).toMatchObject({ obj: { x: 1, y: 200, z: 30 } });
    expect(twice.locate(['obj', 'y'])).toMatchObject({ file: 'third.yaml' });
    expect(twice.locate(['obj', 'z'])).toMatchObject({ file: 'over.yaml' });
    expect(twice.locate(['obj', 'x'])).toMatchObject({ file: 'base.yaml' });
  });
});
