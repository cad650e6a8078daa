import { NO_FAULTS, faultFor, makeFault, setFault } from './faults';

describe('faults', () => {
  it('makes faults with defaults and checks them', () => {
    expect(makeFault('error')).toEqual({ kind: 'error', status: 500 });
    expect(makeFault('error', { status: 0 })).toEqual({ kind: 'error', status: 500 });
    expect(makeFault('error', { status: 503 })).toEqual({ kind: 'error', status: 503 });
    expect(makeFault('slow', { delayMs: 10 })).toEqual({ kind: 'slow', delayMs: 10 });
    expect(() => makeFault('slow', { delayMs: 0 })).toThrow('expected delay_ms');
    expect(() => makeFault('error', { status: 99 })).toThrow('expected status_code');
    expect(() => makeFault('melt')).toThrow('expected fault to be one of none, error, slow, hang, down, got "melt"');
  });

  it('applies the last matching pattern; none removes one pattern or all', () => {
    let s = setFault(NO_FAULTS, makeFault('slow', { delayMs: 5 }), undefined, 1);
    s = setFault(s, makeFault('error', { status: 503 }), '/img/*', 2);
    s = setFault(s, makeFault('down'), '/img/x', 3);
    expect(faultFor(s, '/other')).toEqual({ kind: 'slow', delayMs: 5 });
    expect(faultFor(s, '/img/a')).toEqual({ kind: 'error', status: 503 });
    expect(faultFor(s, '/img/x')).toEqual({ kind: 'down' });
    // Setting a pattern again replaces it and moves it last.
    s = setFault(s, makeFault('hang'), '/img/*', 4);
    expect(faultFor(s, '/img/x')).toEqual({ kind: 'hang' });
    s = setFault(s, makeFault('none'), '/img/*', 5);
    expect(faultFor(s, '/img/x')).toEqual({ kind: 'down' });
    expect(faultFor(s, '/img/a')).toEqual({ kind: 'slow', delayMs: 5 });
    expect(setFault(s, makeFault('none'), '', 6)).toBe(NO_FAULTS);
    expect(faultFor(NO_FAULTS, '/x')).toEqual({ kind: 'none' });
  });

  it('refuses a bad glob without changing the state', () => {
    expect(() => setFault(NO_FAULTS, makeFault('down'), 'img', 1)).toThrow('starting with "/"');
  });
});
