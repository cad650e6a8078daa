import * as grpc from '@grpc/grpc-js';
import { callOptions, clientInterceptors, createTierClient, deadlineIn, hasDeadline, type ParentCall } from './client';
import { Link } from './interceptors-link';

function fakeParent(deadline: grpc.Deadline): ParentCall {
  return { getDeadline: () => deadline } as unknown as ParentCall;
}

describe('deadline helpers', () => {
  it('deadlineIn returns an absolute time and rejects nonsense', () => {
    const before = Date.now();
    const d = deadlineIn(250);
    expect(d).toBeGreaterThanOrEqual(before + 250);
    expect(() => deadlineIn(0)).toThrow('expected a deadline in ms to be a positive finite number, got 0');
    expect(() => deadlineIn(Infinity)).toThrow(/Infinity/);
  });

  it('hasDeadline accepts an own deadline or a parent one that propagates', () => {
    expect(hasDeadline({})).toBe(false);
    expect(hasDeadline({ deadline: Infinity })).toBe(false);
    expect(hasDeadline({ deadline: new Date(Date.now() + 1000) })).toBe(true);
    expect(hasDeadline({ parent: fakeParent(Date.now() + 1000) })).toBe(true);
    expect(hasDeadline({ parent: fakeParent(Infinity) })).toBe(false);
    expect(hasDeadline({ parent: fakeParent(Date.now() + 1000), propagate_flags: grpc.propagate.CANCELLATION })).toBe(false);
  });

  it('callOptions propagates deadline and cancellation from the parent', () => {
    const parent = fakeParent(Date.now() + 1000);
    const o = callOptions(5000, parent);
    expect(o.parent).toBe(parent);
    expect(o.propagate_flags! & grpc.propagate.DEADLINE).toBeTruthy();
    expect(o.propagate_flags! & grpc.propagate.CANCELLATION).toBeTruthy();
    expect(callOptions(5000).parent).toBeUndefined();
  });
});

describe('client factories', () => {
  it('add auth and link interceptors only when asked', () => {
    expect(clientInterceptors()).toHaveLength(1);
    expect(clientInterceptors({ token: 't', link: new Link() })).toHaveLength(3);
  });

  it('validate the address and the token', () => {
    expect(() => createTierClient('nowhere')).toThrow('expected address to be "host:port", got "nowhere"');
    expect(() => createTierClient('127.0.0.1:1', { token: 'has space' })).toThrow('expected opts.token to be a non-empty string without whitespace');
  });
});
