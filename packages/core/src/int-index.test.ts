import fc from 'fast-check';
import { IntIndex } from './int-index';

describe('IntIndex', () => {
  it('behaves like a Map under random set/delete/take/deleteIfValue (fast-check)', () => {
    const op = fc.record({
      kind: fc.constantFrom('set', 'delete', 'take', 'deleteIfValue', 'get'),
      // Small key ranges force collisions and long probe clusters; extremes check int32 edges.
      key: fc.oneof(fc.integer({ min: -40, max: 40 }), fc.constantFrom(-2147483648, 2147483647, 0x3fffffff)),
      value: fc.integer({ min: 0, max: 5 }),
    });
    fc.assert(
      fc.property(fc.array(op, { maxLength: 500, size: 'max' }), (ops) => {
        const index = new IntIndex(1);
        const model = new Map<number, number>();
        for (const { kind, key, value } of ops) {
          if (kind === 'set') {
            if (index.set(key, value) !== (model.get(key) ?? -1)) return false;
            model.set(key, value);
          } else if (kind === 'delete') {
            if (index.delete(key) !== model.delete(key)) return false;
          } else if (kind === 'take') {
            if (index.take(key) !== (model.get(key) ?? -1)) return false;
            model.delete(key);
          } else if (kind === 'deleteIfValue') {
            const should = model.get(key) === value;
            if (index.deleteIfValue(key, value) !== should) return false;
            if (should) model.delete(key);
          }
          if (index.size !== model.size) return false;
          for (const [k, v] of model) if (index.get(k) !== v) return false;
          if (index.get(key) !== (model.get(key) ?? -1)) return false;
        }
        const seen = new Map<number, number>();
        index.forEach((k, v) => seen.set(k, v));
        return seen.size === model.size && [...model].every(([k, v]) => seen.get(k) === v);
      }),
      { numRuns: 300 },
    );
  });

  it('grows past its initial size and clears', () => {
    const index = new IntIndex(4);
    for (let k = 0; k < 10_000; k++) index.set(k * 7919, k);
    expect(index.size).toBe(10_000);
    let wrong = 0;
    for (let k = 0; k < 10_000; k++) if (index.get(k * 7919) !== k) wrong++;
    expect(wrong).toBe(0);
    expect(index.get(1)).toBe(-1);
    index.clear();
    expect(index.size).toBe(0);
    expect(index.get(7919)).toBe(-1);
  });
});
