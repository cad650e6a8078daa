import pino from 'pino';
import { createVirtualClock } from '../src/clock';
import type { DnsServiceConfigInput } from '../src/config';
import type { HealthProbe } from '../src/health';
import { type DnsServer, createDnsServer } from '../src/server';
import { clientKinds, decodeResult, encodeQuery, query, udpExchange } from './support';

// Fail-open / fail-closed and TTLs, with the health checker on a virtual
// clock and a scripted probe: real sockets for DNS, virtual time for health.

const ZONE = 'cdn.cdnlab.test';
const HEALTH = { intervalMs: 1000, timeoutMs: 500, fall: 2, rise: 3 };

function setup(extra: DnsServiceConfigInput) {
  const clock = createVirtualClock(0);
  const ok: Record<string, boolean> = { a: true, b: true };
  const probe: HealthProbe = (t) => Promise.resolve(ok[t.id]);
  const server = createDnsServer(
    {
      zone: ZONE,
      regions: [{ name: 'r', cidrs: ['10.9.0.0/16'] }],
      edges: [
        { id: 'a', region: 'r', address: '127.0.5.1', grpcAddress: '127.0.0.1:1' },
        { id: 'b', region: 'r', address: '127.0.5.2', grpcAddress: '127.0.0.1:2' },
      ],
      health: HEALTH,
      ttlSeconds: 40,
      ...extra,
    },
    { clock, probe, logger: pino({ level: 'silent' }) },
  );
  return { clock, ok, server };
}

const servers: DnsServer[] = [];
afterAll(() => Promise.all(servers.map((s) => s.stop())));

async function ask(port: number) {
  return decodeResult(await udpExchange('127.0.0.1', port, encodeQuery({ name: ZONE }, 1)));
}

describe('when every edge is down', () => {
  it('fail-closed answers SERVFAIL, and recovers when an edge comes back', async () => {
    const { clock, ok, server } = setup({ failMode: 'fail-closed', answers: 2 });
    servers.push(server);
    const { udpPort } = await server.start();
    expect((await ask(udpPort)).answers).toHaveLength(2); // unknown = usable
    ok.a = ok.b = false;
    await clock.advance(HEALTH.intervalMs * HEALTH.fall); // the check at t=0 passed; two failures follow
    expect(server.health.state('a')).toBe('down');
    // A failure is no authoritative data: AA stays clear (dig too, when installed).
    for (const kind of clientKinds()) {
      const failed = await query(kind, { port: udpPort, name: ZONE });
      expect([kind, failed.rcode, failed.aa, failed.answers]).toEqual([kind, 'SERVFAIL', false, []]);
    }
    ok.b = true;
    await clock.advance(HEALTH.intervalMs * HEALTH.rise);
    const r = await ask(udpPort);
    expect(r.rcode).toBe('NOERROR');
    expect(r.answers.map((x) => x.data)).toEqual(['127.0.5.2']);
  });

  it('fail-open answers anyway', async () => {
    const { clock, ok, server } = setup({ failMode: 'fail-open', answers: 2 });
    servers.push(server);
    const { udpPort } = await server.start();
    ok.a = ok.b = false;
    await clock.advance(HEALTH.intervalMs * HEALTH.fall);
    expect(server.health.state('b')).toBe('down');
    const r = await ask(udpPort);
    expect(r.rcode).toBe('NOERROR');
    expect(r.answers.map((x) => x.data).sort()).toEqual(['127.0.5.1', '127.0.5.2']);
  });
});

describe('TTL', () => {
  it('is per policy', async () => {
    const { server } = setup({ ttlByPolicy: { 'round-robin': 5 } });
    servers.push(server);
    const { udpPort } = await server.start();
    expect((await ask(udpPort)).answers[0].ttl).toBe(40);
    server.setPolicy('round-robin');
    expect((await ask(udpPort)).answers[0].ttl).toBe(5);
  });

  it('shrinks while an answered edge is unknown or its health is changing (state-aware TTL)', async () => {
    const { clock, ok, server } = setup({ answers: 1, policy: 'weighted', stateAwareTtl: { minSeconds: 4 }, edges: [{ id: 'a', region: 'r', address: '127.0.5.1', grpcAddress: '127.0.0.1:1' }] });
    servers.push(server);
    const { udpPort } = await server.start();
    expect((await ask(udpPort)).answers[0].ttl).toBe(4); // unknown: floor
    await clock.advance(HEALTH.intervalMs * (HEALTH.rise - 1));
    expect(server.health.state('a')).toBe('up');
    expect((await ask(udpPort)).answers[0].ttl).toBe(40);
    ok.a = false;
    await clock.advance(HEALTH.intervalMs); // one failure, not yet down
    expect(server.health.state('a')).toBe('up');
    expect((await ask(udpPort)).answers[0].ttl).toBe(20);
    ok.a = true;
    await clock.advance(HEALTH.intervalMs); // steady again
    expect((await ask(udpPort)).answers[0].ttl).toBe(40);
  });
});
