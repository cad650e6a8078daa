import fc from 'fast-check';
import { compare, COMPARISONS, ExpressionError, formatExpectation, matchesLabels, parseExpectation } from './expectation-expr';

describe('parseExpectation', () => {
  it('parses a metric, labels, operator and number', () => {
    expect(parseExpectation('origin.requests{path="/hot"} == 1')).toEqual({
      text: 'origin.requests{path="/hot"} == 1',
      metric: 'origin.requests',
      labels: [{ name: 'path', op: '=', value: '/hot' }],
      op: '==',
      value: 1,
    });
    expect(parseExpectation('edge.hit_ratio >= 0.9')).toMatchObject({ metric: 'edge.hit_ratio', labels: [], op: '>=', value: 0.9 });
  });

  it('normalises units: s → ms, % → fraction', () => {
    expect(parseExpectation('client.latency_p99{region="apac"} < 0.25s')).toMatchObject({ value: 250, unit: 's' });
    expect(parseExpectation('client.latency_p99 < 250ms')).toMatchObject({ value: 250, unit: 'ms' });
    expect(parseExpectation('edge.hit_ratio > 90%')).toMatchObject({ value: 0.9, unit: '%' });
  });

  it('accepts several matchers, != and escapes, and spacing', () => {
    const e = parseExpectation('  a.b { x = "1" , y!="q\\"z", } != -2.5e1 ');
    expect(e.labels).toEqual([
      { name: 'x', op: '=', value: '1' },
      { name: 'y', op: '!=', value: 'q"z' },
    ]);
    expect(e).toMatchObject({ op: '!=', value: -25, text: 'a.b { x = "1" , y!="q\\"z", } != -2.5e1' });
  });

  it.each([
    ['origin.requests => 1', 16, 'expected a comparison operator (==, !=, <, <=, >, >=), got "=> 1"'],
    ['origin.requests = 1', 16, 'expected a comparison operator'],
    ['origin.requests <> 1', 16, 'expected a comparison operator'],
    ['origin.requests == ', 19, 'expected a number, got end of text'],
    ['origin.requests == 1 2', 21, 'expected end of expectation, got "2"'],
    ['origin.requests == 1x', 20, 'expected end of expectation, got "x"'],
    ['1origin == 1', 0, 'expected a metric name'],
    ['origin. == 1', 7, 'expected a name after "."'],
    ['m{path=/hot} == 1', 7, 'expected a double-quoted label value'],
    ['m{path=="x"} == 1', 6, 'expected "=", "!=", "=~" or "!~" after the label name'],
    ['m{path~"x"} == 1', 6, 'expected "=", "!=", "=~" or "!~" after the label name'],
    ['m{group=~"reload(ers"} == 1', 9, 'label "group": not a regular expression: '],
    ['m{a="1" b="2"} == 1', 8, 'expected "," or "}"'],
    ['m{a="1",a="2"} == 1', 8, 'label "a" is given twice'],
    ['m{a="1} == 1', 4, 'unterminated label value'],
  ])('%p fails at offset %p', (text, offset, message) => {
    let err: unknown;
    try {
      parseExpectation(text);
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(ExpressionError);
    expect((err as ExpressionError).offset).toBe(offset);
    expect((err as ExpressionError).message).toContain(message);
  });

  it('round-trips through formatExpectation', () => {
    const ident = fc.stringMatching(/^[a-z_][a-z0-9_]{0,6}$/);
    fc.assert(
      fc.property(
        fc.array(ident, { minLength: 1, maxLength: 3 }),
        fc.uniqueArray(fc.record({ name: ident, op: fc.constantFrom('=' as const, '!=' as const), value: fc.string({ maxLength: 6, unit: 'binary' }) }), { selector: (l) => l.name, maxLength: 3 }),
        fc.constantFrom(...COMPARISONS),
        fc.double({ noNaN: true, noDefaultInfinity: true, min: -1e9, max: 1e9 }),
        (parts, labels, op, value) => {
          const metric = parts.join('.');
          const text = formatExpectation({ text: '', metric, labels, op, value });
          const back = parseExpectation(text);
          expect(back).toMatchObject({ metric, labels, op });
          expect(back.value).toBe(Number(String(value)));
        },
      ),
    );
  });
});

describe('evaluation helpers', () => {
  it('compare applies each operator', () => {
    expect(COMPARISONS.map((op) => compare(op, 1, 2))).toEqual([false, true, true, false, true, false]);
    expect(COMPARISONS.map((op) => compare(op, 2, 2))).toEqual([true, false, true, true, false, false]);
  });

  it('matches =~ and !~ against the whole value, a missing label as empty', () => {
    const e = parseExpectation('m{group=~"reloaders-.*",region!~"eu|apac"} == 1');
    expect(e.labels).toEqual([
      { name: 'group', op: '=~', value: 'reloaders-.*' },
      { name: 'region', op: '!~', value: 'eu|apac' },
    ]);
    expect(matchesLabels(e, { group: 'reloaders-na', region: 'na' })).toBe(true);
    expect(matchesLabels(e, { group: 'reloaders-na', region: 'eu' })).toBe(false);
    expect(matchesLabels(e, { group: 'reloaders-na', region: 'eu-west' })).toBe(true);
    // Anchored: a match inside the value is not enough.
    expect(matchesLabels(e, { group: 'old-reloaders-na', region: 'na' })).toBe(false);
    expect(matchesLabels(e, { region: 'na' })).toBe(false);
    expect(matchesLabels(parseExpectation('m{group=~".*"} == 1'), {})).toBe(true);
    expect(parseExpectation(formatExpectation(e))).toMatchObject({ labels: e.labels });
  });

  it('matchesLabels treats a missing label as empty', () => {
    const e = parseExpectation('m{path="/hot",tier!="edge"} == 1');
    expect(matchesLabels(e, { path: '/hot', tier: 'shield' })).toBe(true);
    expect(matchesLabels(e, { path: '/hot' })).toBe(true);
    expect(matchesLabels(e, { path: '/hot', tier: 'edge' })).toBe(false);
    expect(matchesLabels(e, { path: '/cold' })).toBe(false);
  });
});
