import * as dnsPacket from 'dns-packet';
import type { OptAnswer } from 'dns-packet';
import { respond } from './responder';
import { ZONE, edgesFixture, queryPacket, stateFixture } from './responder.test-fixture';
import { Zone } from './zone';

const udp = { address: '10.1.0.9', transport: 'udp' as const };
const tcp = { address: '10.1.0.9', transport: 'tcp' as const };

function ask(query: Buffer, state = stateFixture(), client: { address: string; transport: 'udp' | 'tcp' } = udp) {
  const out = respond(query, state, client);
  if (!out.response) throw new Error('no response');
  const packet = dnsPacket.decode(out.response);
  const opt = (packet.additionals ?? []).find((a) => a.type === 'OPT') as OptAnswer | undefined;
  return { out, packet, opt, bytes: out.response };
}

const rcodeOf = (p: dnsPacket.DecodedPacket) => (p as unknown as { rcode: string }).rcode;
const data = (p: dnsPacket.DecodedPacket) => (p.answers ?? []).map((a) => ('data' in a ? a.data : undefined));

describe('respond: answers', () => {
  it('answers A for the CDN name from the client region, authoritative, RA=0, RD copied', () => {
    const { packet, out } = ask(queryPacket());
    expect(rcodeOf(packet)).toBe('NOERROR');
    expect(packet.flag_qr && packet.flag_aa && packet.flag_rd).toBe(true);
    expect(packet.flag_ra).toBe(false);
    expect(packet.id).toBe(4242);
    expect(data(packet)).toEqual(['127.0.1.1', '127.0.1.3']); // region eu from 10.1.0.9
    expect(packet.answers?.[0]).toMatchObject({ name: ZONE, ttl: 20, type: 'A' });
    expect(out).toMatchObject({ region: 'eu', policyAnswer: true, truncated: false });
  });

  it('answers AAAA only from IPv6 edges, and per-edge names with their own address', () => {
    expect(data(ask(queryPacket({ type: 'AAAA' })).packet)).toEqual(['2001:db8::1']);
    expect(data(ask(queryPacket({ name: `e2.${ZONE}` })).packet)).toEqual(['127.0.1.3']);
    expect(data(ask(queryPacket({ name: `V6.CDN.cdnlab.TEST`, type: 'AAAA' })).packet)).toEqual(['2001:db8::1']);
  });

  it('serves SOA and NS (with glue) at the apex', () => {
    const soa = ask(queryPacket({ type: 'SOA' })).packet;
    expect(soa.answers?.[0]).toMatchObject({ type: 'SOA', data: { mname: `ns1.${ZONE}`, minimum: 30 } });
    const ns = ask(queryPacket({ type: 'NS' })).packet;
    expect(ns.answers?.[0]).toMatchObject({ type: 'NS', data: `ns1.${ZONE}` });
    expect(ns.additionals?.[0]).toMatchObject({ name: `ns1.${ZONE}`, type: 'A', data: '127.0.0.53' });
  });

  it('NXDOMAIN and NODATA carry the SOA in authority (RFC 2308)', () => {
    const nx = ask(queryPacket({ name: `nope.${ZONE}` })).packet;
    expect(rcodeOf(nx)).toBe('NXDOMAIN');
    expect(nx.flag_aa).toBe(true);
    expect(nx.answers).toEqual([]);
    expect(nx.authorities?.[0]).toMatchObject({ type: 'SOA', name: ZONE, ttl: 30 });
    expect(rcodeOf(ask(queryPacket({ name: `x.e1.${ZONE}` })).packet)).toBe('NXDOMAIN');
    const nodata = ask(queryPacket({ type: 'TXT' })).packet;
    expect(rcodeOf(nodata)).toBe('NOERROR');
    expect(nodata.answers).toEqual([]);
    expect(nodata.authorities?.[0]).toMatchObject({ type: 'SOA' });
    const noV6 = ask(queryPacket({ name: `e1.${ZONE}`, type: 'AAAA' })).packet;
    expect(noV6.answers).toEqual([]);
    expect(noV6.authorities?.[0]).toMatchObject({ type: 'SOA' });
  });

  it('refuses names outside the zone, other classes and zone transfers, without AA', () => {
    for (const name of ['example.com', 'cdnlab.test', 'xcdn.cdnlab.test', '.']) {
      const p = ask(queryPacket({ name })).packet;
      expect([name, rcodeOf(p), p.flag_aa]).toEqual([name, 'REFUSED', false]);
    }
    const ch = Buffer.from(queryPacket());
    ch.writeUInt16BE(3, ch.length - 2); // class CH
    const chaos = ask(ch).packet;
    expect([rcodeOf(chaos), chaos.flag_aa]).toEqual(['REFUSED', false]);
    // A transfer of our own zone is refused too: a refusal is no authoritative data (RFC 1035 §4.1.1).
    for (const type of ['AXFR', 'IXFR'] as const) {
      const p = ask(queryPacket({ type: type as dnsPacket.RecordType }), stateFixture(), tcp).packet;
      expect([type, rcodeOf(p), p.flag_aa]).toEqual([type, 'REFUSED', false]);
    }
  });

  it('answers ANY with a single HINFO (RFC 8482), no amplification', () => {
    const { packet, bytes } = ask(queryPacket({ type: 'ANY' }), stateFixture({ answers: 50, edges: edgesFixture(50) }));
    expect(packet.answers).toHaveLength(1);
    expect(packet.answers?.[0]).toMatchObject({ type: 'HINFO', data: { cpu: 'RFC8482', os: '' } });
    expect(bytes.length).toBeLessThan(100);
  });

  it('SERVFAIL without AA when the selection says fail closed', () => {
    const { packet } = ask(queryPacket(), stateFixture({ select: () => undefined }));
    expect([rcodeOf(packet), packet.flag_aa, packet.answers]).toEqual(['SERVFAIL', false, []]);
  });

  it('sets AA exactly on answers from the zone: NOERROR (NODATA too) and NXDOMAIN', () => {
    const aa = (q: Parameters<typeof queryPacket>[0]) => {
      const p = ask(queryPacket(q)).packet;
      return [rcodeOf(p), p.flag_aa];
    };
    expect(aa({})).toEqual(['NOERROR', true]);
    expect(aa({ type: 'TXT' })).toEqual(['NOERROR', true]);
    expect(aa({ name: `nope.${ZONE}` })).toEqual(['NXDOMAIN', true]);
    expect(aa({ edns: { version: 1 } })).toEqual(['NOERROR', false]); // BADVERS: the 16 lives in the OPT
    const notify = Buffer.from(queryPacket());
    notify[2] |= 4 << 3;
    expect(ask(notify).packet.flag_aa).toBe(false);
  });

  it('echoes the question bytes exactly, case included', () => {
    const q = queryPacket({ name: 'CdN.cDnLaB.TeSt' });
    const { bytes } = ask(q);
    const qlen = 'CdN.cDnLaB.TeSt'.length + 2 + 4;
    expect(bytes.subarray(12, 12 + qlen)).toEqual(q.subarray(12, 12 + qlen));
  });

  it('does not let a label containing a dot pose as two labels', () => {
    // labels ["cdn.cdnlab", "test"] - on the wire not the zone name.
    const q = Buffer.concat([queryPacket().subarray(0, 12), Buffer.from([10]), Buffer.from('cdn.cdnlab'), Buffer.from([4]), Buffer.from('test'), Buffer.from([0, 0, 1, 0, 1])]);
    expect(rcodeOf(ask(q).packet)).toBe('REFUSED');
  });
});

describe('respond: a TTL changed at run time', () => {
  it('moves the SOA TTL and MINIMUM, the negative TTL and the per-edge names with it, and bumps the serial', () => {
    const state = stateFixture();
    const before = state.zone.serial;
    expect(state.zone.setTtl(7, 1000)).toBe(true);
    const soa = ask(queryPacket({ type: 'SOA' }), state).packet.answers?.[0];
    expect(soa).toMatchObject({ type: 'SOA', ttl: 7, data: { minimum: 7, serial: 1000 } });
    expect(before).toBeLessThan(1000);
    for (const q of [{ name: `nope.${ZONE}` }, { type: 'TXT' }, { name: `e1.${ZONE}`, type: 'AAAA' }] as const) {
      const p = ask(queryPacket(q), state).packet;
      expect([q, p.authorities?.[0]]).toEqual([q, expect.objectContaining({ type: 'SOA', ttl: 7, data: expect.objectContaining({ minimum: 7, serial: 1000 }) })]);
    }
    expect(ask(queryPacket({ name: `e1.${ZONE}` }), state).packet.answers?.[0]).toMatchObject({ type: 'A', ttl: 7 });
    expect(ask(queryPacket({ type: 'ANY' }), state).packet.answers?.[0]).toMatchObject({ type: 'HINFO', ttl: 7 });
  });
});

describe('respond: EDNS(0) and ECS', () => {
  it('uses the client subnet over the source address and echoes it with a scope', () => {
    const { packet, opt, out } = ask(queryPacket({ subnet: '10.2.3.0/24' }));
    expect(out.region).toBe('us');
    expect(data(packet)).toEqual(['127.0.1.2', '127.0.1.4']);
    expect(opt?.options[0]).toMatchObject({ code: 8, sourcePrefixLength: 24, scopePrefixLength: 16, ip: '10.2.3.0' });
    expect(opt?.udpPayloadSize).toBe(1232);
  });

  it('falls back to the source address for SOURCE PREFIX-LENGTH 0, with scope 0', () => {
    const zero = Buffer.from([0, 1, 0, 0]);
    const { out, opt } = ask(queryPacket({ edns: { options: [{ code: 8, data: zero }] } }), stateFixture(), { address: '10.2.0.1', transport: 'udp' });
    expect(out.region).toBe('us');
    expect(opt?.options[0]).toMatchObject({ sourcePrefixLength: 0, scopePrefixLength: 0 });
  });

  it('FORMERR for malformed ECS, two ECS options, two OPTs or an OPT not at the root', () => {
    const bad = Buffer.from([0, 1, 20, 0, 10, 1, 0xff]);
    expect(rcodeOf(ask(queryPacket({ edns: { options: [{ code: 8, data: bad }] } })).packet)).toBe('FORMERR');
    const ecs = Buffer.from([0, 1, 8, 0, 10]);
    expect(rcodeOf(ask(queryPacket({ edns: { options: [{ code: 8, data: ecs }, { code: 8, data: ecs }] } })).packet)).toBe('FORMERR');
    const withOpt = queryPacket({ edns: true });
    const optRr = withOpt.subarray(withOpt.length - 11);
    const twoOpts = Buffer.concat([withOpt, optRr]);
    twoOpts.writeUInt16BE(2, 10);
    expect(rcodeOf(ask(twoOpts).packet)).toBe('FORMERR');
    const named = Buffer.concat([withOpt.subarray(0, withOpt.length - 11), Buffer.from([1, 0x78]), optRr]);
    expect(rcodeOf(ask(named).packet)).toBe('FORMERR');
  });

  it('puts an OPT in every answer to an EDNS query, errors too, with the question where it was read (RFC 6891 §6.1.1, §7)', () => {
    const badEcs = queryPacket({ edns: { options: [{ code: 8, data: Buffer.from([0, 1, 20, 0, 10, 1, 0xff]) }] } });
    const twoEcs = queryPacket({ edns: { options: [{ code: 8, data: Buffer.from([0, 1, 8, 0, 10]) }, { code: 8, data: Buffer.from([0, 1, 8, 0, 10]) }] } });
    const withOpt = queryPacket({ edns: true });
    const twoOpts = Buffer.concat([withOpt, withOpt.subarray(withOpt.length - 11)]);
    twoOpts.writeUInt16BE(2, 10);
    for (const q of [badEcs, twoEcs, twoOpts]) {
      const { packet, opt } = ask(q);
      expect([rcodeOf(packet), packet.questions?.[0]?.name]).toEqual(['FORMERR', ZONE]);
      expect(opt).toMatchObject({ ednsVersion: 0, udpPayloadSize: 1232, options: [] }); // the bad ECS is not echoed
    }
    const notify = Buffer.from(withOpt);
    notify[2] |= 4 << 3;
    const two = dnsPacket.encode({ id: 1, type: 'query', questions: [{ name: ZONE, type: 'A' }, { name: ZONE, type: 'A' }], additionals: [{ name: '.', type: 'OPT', udpPayloadSize: 1232, flags: 0, options: [] } as unknown as dnsPacket.Answer] });
    for (const [q, rcode] of [[notify, 'NOTIMP'], [two, 'FORMERR']] as const) {
      const { packet, opt } = ask(q);
      expect(rcodeOf(packet)).toBe(rcode);
      expect(opt).toMatchObject({ ednsVersion: 0, udpPayloadSize: 1232 });
    }
    // And none without EDNS in the query (§7).
    const plain = Buffer.from(queryPacket());
    plain[2] |= 4 << 3;
    expect(ask(plain).opt).toBeUndefined();
  });

  it('scopes only policy answers to the subnet; SCOPE PREFIX-LENGTH 0 for everything else (RFC 7871 §12.1, §7.4)', () => {
    const scope = (q: Parameters<typeof queryPacket>[0]) => ask(queryPacket({ ...q, subnet: '10.2.3.0/24' })).opt?.options[0];
    expect(scope({})).toMatchObject({ code: 8, sourcePrefixLength: 24, scopePrefixLength: 16 });
    for (const q of [{ type: 'SOA' }, { type: 'NS' }, { type: 'TXT' }, { type: 'ANY' }, { name: `e1.${ZONE}` }, { name: `nope.${ZONE}` }, { name: 'example.com' }] as const) {
      expect([q, scope(q)]).toEqual([q, expect.objectContaining({ code: 8, sourcePrefixLength: 24, scopePrefixLength: 0, ip: '10.2.3.0' })]);
    }
    // No edge to give (fail closed) is not an answer shaped by the subnet either.
    const failClosed = ask(queryPacket({ subnet: '10.2.3.0/24' }), stateFixture({ select: () => undefined }));
    expect(failClosed.opt?.options[0]).toMatchObject({ scopePrefixLength: 0 });
  });

  it('BADVERS (extended RCODE 16) for EDNS version > 0, answering with version 0', () => {
    const { packet, opt } = ask(queryPacket({ edns: { version: 1 } }));
    expect(rcodeOf(packet)).toBe('NOERROR'); // low 4 bits are 0 ...
    expect(opt).toMatchObject({ extendedRcode: 1, ednsVersion: 0 }); // ... and 1 << 4 = 16 lives in OPT
    expect(packet.answers).toEqual([]);
  });

  it('ignores unknown EDNS options', () => {
    const { packet } = ask(queryPacket({ edns: { options: [{ code: 65001, data: Buffer.from('hi') }] } }));
    expect(rcodeOf(packet)).toBe('NOERROR');
    expect(packet.answers).toHaveLength(2);
  });
});

describe('respond: size limits', () => {
  const big = () => stateFixture({ answers: 50, edges: edgesFixture(50) });

  it('sets TC over UDP when the answer exceeds 512 bytes without EDNS, with sections emptied', () => {
    const { packet, bytes, out } = ask(queryPacket(), big());
    expect(packet.flag_tc).toBe(true);
    expect(packet.answers).toEqual([]);
    expect(bytes.length).toBeLessThanOrEqual(512);
    expect(out.truncated).toBe(true);
  });

  it('honours the EDNS payload size, and the smaller of ours and theirs', () => {
    // 50 A records x 31 bytes ~ 1.6 kB: fits 4096 but not our 1232.
    expect(ask(queryPacket({ edns: { payload: 4096 } }), big()).packet.flag_tc).toBe(true);
    const state = { ...big(), maxUdpPayload: 4096 };
    const roomy = ask(queryPacket({ edns: { payload: 4096 } }), state);
    expect(roomy.packet.flag_tc).toBe(false);
    expect(roomy.packet.answers).toHaveLength(50);
    // A payload size below 512 counts as 512: 10 answers (~370 bytes) still fit.
    const small = ask(queryPacket({ edns: { payload: 100 } }), stateFixture({ answers: 10, edges: edgesFixture(10) }));
    expect(small.packet.flag_tc).toBe(false);
    expect(small.packet.answers).toHaveLength(10);
    expect(small.opt).toBeDefined();
  });

  it('sets TC over TCP when the answer would not fit a two-byte length (RFC 1035 §4.2.2)', () => {
    // 1000 A records under a 72-byte zone name are ~88 kB.
    const zone = `${'a'.repeat(60)}.cdnlab.test`;
    const edges = Array.from({ length: 1000 }, (_, i) => ({ ...edgesFixture(1)[0], id: `e${i}`, address: `127.1.${i >> 8}.${i & 255}` }));
    const state = { ...stateFixture({ edges }), zone: new Zone({ zone, edges, nsAddress: '127.0.0.53', nsFamily: 4, ttlSeconds: 30, serial: 1 }), select: () => ({ edges, ttl: 20 }) };
    const { packet, bytes, out } = ask(queryPacket({ name: zone }), state, tcp);
    expect(bytes.length).toBeLessThanOrEqual(65535);
    expect([packet.flag_tc, out.truncated, rcodeOf(packet), packet.questions?.[0]?.name]).toEqual([true, true, 'NOERROR', zone]);
  });

  it('sends the whole answer over TCP', () => {
    const { packet } = ask(queryPacket(), big(), tcp);
    expect(packet.flag_tc).toBe(false);
    expect(packet.answers).toHaveLength(50);
  });
});

describe('respond: bad input', () => {
  it('drops what is not a query: too short, or already a response', () => {
    expect(respond(Buffer.alloc(11), stateFixture(), udp).response).toBeUndefined();
    const resp = Buffer.from(queryPacket());
    resp[2] |= 0x80;
    expect(respond(resp, stateFixture(), udp).response).toBeUndefined();
  });

  it('FORMERR for garbage after a header, trailing bytes, or two questions', () => {
    const garbage = Buffer.concat([queryPacket().subarray(0, 12), Buffer.from([0xff, 0xff, 0xff])]);
    const p = ask(garbage).packet;
    expect([rcodeOf(p), p.id, p.flag_qr]).toEqual(['FORMERR', 4242, true]);
    expect(rcodeOf(ask(Buffer.concat([queryPacket(), Buffer.from([0])])).packet)).toBe('FORMERR');
    const two = dnsPacket.encode({ id: 1, type: 'query', questions: [{ name: ZONE, type: 'A' }, { name: ZONE, type: 'A' }] });
    expect(rcodeOf(ask(two).packet)).toBe('FORMERR');
  });

  it('NOTIMP for opcodes other than QUERY', () => {
    const notify = Buffer.from(queryPacket());
    notify[2] |= 4 << 3; // opcode 4 = NOTIFY
    const p = ask(notify).packet;
    expect(rcodeOf(p)).toBe('NOTIMP');
    expect((p as unknown as { opcode: string }).opcode).toBe('NOTIFY');
  });

  it('FORMERR for a compression loop and for a pointer in the question', () => {
    const loop = Buffer.concat([queryPacket().subarray(0, 12), Buffer.from([0xc0, 12, 0, 1, 0, 1])]);
    expect(rcodeOf(ask(loop).packet)).toBe('FORMERR');
    const back = Buffer.concat([queryPacket().subarray(0, 12), Buffer.from([0xc0, 0, 0, 1, 0, 1])]);
    expect(respond(back, stateFixture(), udp).rcode).toBe('FORMERR');
  });
});
