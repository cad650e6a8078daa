import { parseDnsServiceConfig } from './config';

const names = ['geo', 'weighted'];
const base = () => ({
  regions: [{ name: 'eu', cidrs: ['10.1.0.0/16'] }],
  edges: [{ id: 'e1', region: 'eu', address: '127.0.1.1', grpcAddress: '127.0.0.1:5000' }],
});

describe('parseDnsServiceConfig', () => {
  it('fills defaults', () => {
    const c = parseDnsServiceConfig(base(), names);
    expect(c).toMatchObject({
      zone: 'cdn.cdnlab.test',
      listen: { host: '127.0.0.1', port: 0 },
      policy: 'geo',
      failMode: 'fail-open',
      answers: 2,
      health: { intervalMs: 2000, timeoutMs: 1000, fall: 2, rise: 3 },
      maxUdpPayload: 1232,
    });
    expect(c.edges[0].weight).toBe(1);
  });

  it.each([
    [{ zone: 'bad_zone!' }, 'expected config.zone to be a DNS name'],
    [{ policy: 'fastest' }, 'expected config.policy to be one of geo, weighted, got "fastest"'],
    [{ failMode: 'maybe' }, 'expected config.failMode to be "fail-open" or "fail-closed"'],
    [{ answers: 0 }, 'expected config.answers to be an integer from 1 to 1000, got 0'],
    [{ listen: { port: 70000 } }, 'expected config.listen.port'],
    [{ health: { fall: -1 } }, 'expected config.health.fall to be an integer from 1 to 1000, got -1'],
    [{ edges: [{ id: 'E 1', region: 'eu', address: '127.0.1.1', grpcAddress: '127.0.0.1:1' }] }, 'expected config.edges[0].id to be a lower-case DNS label'],
    [{ edges: [{ id: 'e1', region: 'mars', address: '127.0.1.1', grpcAddress: '127.0.0.1:1' }] }, 'expected config.edges[0].region to be one of the regions (eu), got "mars"'],
    [{ edges: [{ id: 'e1', region: 'eu', address: 'localhost', grpcAddress: '127.0.0.1:1' }] }, 'expected config.edges[0].address to be an IPv4 or IPv6 address'],
    [{ edges: [{ id: 'e1', region: 'eu', address: '127.0.1.1', grpcAddress: 'nowhere' }] }, 'expected config.edges[0].grpcAddress to be host:port'],
    [{ regions: [{ name: 'eu', cidrs: ['10.0.0.1/8'] }] }, 'expected config.regions[0].cidrs[0] to be a CIDR'],
    [{ distances: { eu: { mars: 1 } } }, 'expected config.distances.eu key to be a known region, got "mars"'],
    [{ latencyMs: { eu: { e9: 1 } } }, 'expected config.latencyMs.eu key to be a known edge id, got "e9"'],
    [{ anycast: { address: '127.0.0.100', port: 0 } }, 'expected config.anycast.targets.e1 to be host:port (or set config.anycast.edgePort)'],
    [{ admin: { host: 'localhost', port: 0, token: 'secret-1' } }, 'expected config.admin.host to be an IPv4 or IPv6 address'],
    [{ admin: { host: '127.0.0.1', port: -1, token: 'secret-1' } }, 'expected config.admin.port to be an integer from 0 to 65535, got -1'],
    [{ admin: { host: '127.0.0.1', port: 0, token: 'has space' } }, 'expected config.admin.token to be a non-empty string without whitespace'],
    [{ loadFeedIntervalMs: 5 }, 'expected config.loadFeedIntervalMs to be an integer from 10 to 3600000, got 5'],
  ])('rejects %j', (patch, message) => {
    expect(() => parseDnsServiceConfig({ ...base(), ...patch }, names)).toThrow(message);
  });

  it('takes an admin listener and never echoes its token in an error', () => {
    const c = parseDnsServiceConfig({ ...base(), admin: { host: '127.0.0.1', port: 7070, token: 'tok-123' } }, names);
    expect(c.admin).toEqual({ host: '127.0.0.1', port: 7070, token: 'tok-123' });
    expect(c.loadFeedIntervalMs).toBe(250);
    expect(parseDnsServiceConfig({ ...base(), loadFeedIntervalMs: 0 }, names).loadFeedIntervalMs).toBe(0);
    expect(() => parseDnsServiceConfig({ ...base(), admin: { host: '127.0.0.1', port: 0, token: 'bad token' } }, names)).not.toThrow(/bad token/);
  });

  it('rejects a non-object', () => {
    expect(() => parseDnsServiceConfig('{}', names)).toThrow('expected config to be an object, got "{}"');
  });
});
