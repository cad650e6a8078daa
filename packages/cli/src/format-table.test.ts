import { formatRatio, formatTable } from './format-table';

describe('formatTable', () => {
  it('pads text left-aligned and numbers right-aligned', () => {
    const out = formatTable(['NODE', 'REQS', 'NOTE'], [
      ['edge-na-1', 1200, 'ok'],
      ['origin', 7, ''],
    ]);
    expect(out.split('\n')).toEqual(['NODE       REQS  NOTE', 'edge-na-1  1200  ok', 'origin        7']);
  });

  it('treats "-" as a missing number', () => {
    expect(formatTable(['A', 'N'], [['x', '-'], ['y', 10]]).split('\n')).toEqual(['A   N', 'x   -', 'y  10']);
  });
});

describe('formatRatio', () => {
  it('prints a percentage with one decimal, or "-" without lookups', () => {
    expect(formatRatio(2, 3)).toBe('66.7%');
    expect(formatRatio(0, 0)).toBe('-');
  });
});
