import fc from 'fast-check';
import type { Topology } from '@cdnlab/scenario';
import { cidrHosts, classifyError, clientAddresses } from './client-pool';
import { DnsLookupError } from './stub-resolver';

const topo = (cidrs: Record<string, string>): Topology => ({ name: 't', regions: Object.entries(cidrs).map(([name, c]) => ({ name, cidrs: [c] })) }) as unknown as Topology;

describe('client addresses', () => {
  it('counts the usable hosts of a CIDR', () => {
    expect(cidrHosts('127.10.0.0/16')).toEqual({ first: ((127 << 24) | (10 << 16)) + 1, count: 65534 });
    expect(cidrHosts('127.0.0.8/32').count).toBe(1);
    expect(() => cidrHosts('127.10.0.0/33')).toThrow(/expected an IPv4 CIDR/);
    expect(() => cidrHosts('eu')).toThrow(/got "eu"/);
  });

  it('gives each client of a region its own address, groups of one region continuing where the last stopped', () => {
    const a = clientAddresses(topo({ na: '127.10.0.0/16', eu: '127.20.0.0/16' }), [
      { region: 'na', count: 2 },
      { region: 'eu', count: 1 },
      { region: 'na', count: 2 },
    ]);
    expect(a).toEqual([['127.10.0.1', '127.10.0.2'], ['127.20.0.1'], ['127.10.0.3', '127.10.0.4']]);
  });

  it('stays inside the region for any client count (property)', () => {
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 600 }), fc.integer({ min: 24, max: 30 }), (count, bits) => {
        const [list] = clientAddresses(topo({ r: `127.30.0.0/${bits}` }), [{ region: 'r', count }]);
        const { first, count: size } = cidrHosts(`127.30.0.0/${bits}`);
        for (const ip of list) {
          const n = ip.split('.').reduce((acc, o) => acc * 256 + Number(o), 0);
          expect(n).toBeGreaterThanOrEqual(first);
          expect(n).toBeLessThan(first + size);
        }
      }),
    );
  });

  it('refuses regions off loopback and unknown regions', () => {
    expect(() => clientAddresses(topo({ eu: '10.0.0.0/8' }), [{ region: 'eu', count: 1 }])).toThrow(/region eu: CIDR 10.0.0.0\/8 is not on loopback/);
    expect(() => clientAddresses(topo({ eu: '127.20.0.0/16' }), [{ region: 'na', count: 1 }])).toThrow(/workload.clients\[0\]: region "na" is not in topology t/);
  });
});

describe('classifyError', () => {
  it('sorts failures into connect, timeout, reset and dns', () => {
    const e = (code: string) => Object.assign(new Error(code), { code });
    expect(classifyError(e('ECONNREFUSED'))).toBe('connect');
    expect(classifyError(e('ECONNRESET'))).toBe('reset');
    expect(classifyError(new Error('socket hang up'))).toBe('reset');
    expect(classifyError(Object.assign(new Error('t'), { timeout: true }))).toBe('timeout');
    expect(classifyError(new DnsLookupError('x'))).toBe('dns');
    expect(classifyError(e('EWEIRD'))).toBe('other:EWEIRD');
  });
});
