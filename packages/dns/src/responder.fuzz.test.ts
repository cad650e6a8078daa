import * as dnsPacket from 'dns-packet';
import fc from 'fast-check';
import { respond } from './responder';
import { ZONE, edgesFixture, queryPacket, stateFixture } from './responder.test-fixture';

// Robustness of the pure responder: 80,000 random, mutated and structured
// packets. Whatever arrives, respond() must not throw, and what it sends must
// be a well-formed response that fits the UDP limits.

// answers: 20 makes responses without EDNS overflow 512 bytes, so truncation is fuzzed too.
const state = stateFixture({ answers: 20, edges: edgesFixture(40) });

// Plain checks, not expect(): they run 110,000 times and expect() is slow.
function check(ok: boolean, what: string, query: Buffer): void {
  if (!ok) throw new Error(`${what} for query ${query.toString('hex')}`);
}
const clients = [
  { address: '10.1.0.1', transport: 'udp' as const },
  { address: '10.2.0.1', transport: 'tcp' as const },
  { address: '::ffff:10.2.9.9', transport: 'udp' as const },
  { address: 'garbage', transport: 'udp' as const },
];

function checkOutcome(query: Buffer, clientIndex: number): string {
  const client = clients[clientIndex];
  const out = respond(query, state, client);
  if (!out.response) {
    check(out.rcode === 'DROPPED', 'no response but not DROPPED', query);
    return out.rcode;
  }
  const r = out.response;
  const decoded = dnsPacket.decode(r); // must parse
  check(dnsPacket.decode.bytes === r.length, 'response has trailing bytes', query);
  check(decoded.flag_qr && !decoded.flag_ra, 'QR must be 1 and RA 0', query);
  // AA only on data from the zone; never on a refusal, a failure or a complaint about the query.
  if (decoded.flag_aa) check(out.rcode === 'NOERROR' || out.rcode === 'NXDOMAIN', `AA set on ${out.rcode}`, query);
  check(decoded.id === query.readUInt16BE(0), 'id not echoed', query);
  check((decoded.questions ?? []).length <= 1, 'more than one question', query);
  const hasOpt = (decoded.additionals ?? []).some((a) => a.type === 'OPT');
  if (client.transport === 'udp') check(r.length <= (hasOpt ? state.maxUdpPayload : 512), `UDP response of ${r.length} bytes`, query);
  // RFC 8482: no ANY amplification.
  if ((decoded.questions ?? [])[0]?.type === ('ANY' as string)) check((decoded.answers ?? []).length <= 1, 'ANY answered with many records', query);
  return out.rcode;
}

function decodes(buf: Buffer): boolean {
  try {
    dnsPacket.decode(buf);
    return dnsPacket.decode.bytes === buf.length;
  } catch {
    return false;
  }
}

const seeds = [
  queryPacket(),
  queryPacket({ type: 'AAAA', subnet: '10.2.3.0/24' }),
  queryPacket({ name: `e3.${ZONE}`, edns: { payload: 4096 } }),
  queryPacket({ name: `nope.${ZONE}`, type: 'TXT' }),
  queryPacket({ type: 'ANY', edns: { version: 1 } }),
  queryPacket({ name: 'example.com', subnet: '10.1.0.0/16' }),
  queryPacket({ edns: { options: [{ code: 8, data: Buffer.from([0, 2, 56, 0, 0x20, 1, 0xd, 0xb8, 0, 2, 0]) }] } }),
];

type Mutation = { kind: 'flip'; at: number; value: number } | { kind: 'cut'; at: number } | { kind: 'insert'; at: number; bytes: Uint8Array } | { kind: 'delete'; at: number; n: number };

const mutation: fc.Arbitrary<Mutation> = fc.oneof(
  fc.record({ kind: fc.constant('flip' as const), at: fc.nat(), value: fc.integer({ min: 0, max: 255 }) }),
  fc.record({ kind: fc.constant('cut' as const), at: fc.nat() }),
  fc.record({ kind: fc.constant('insert' as const), at: fc.nat(), bytes: fc.uint8Array({ minLength: 1, maxLength: 8 }) }),
  fc.record({ kind: fc.constant('delete' as const), at: fc.nat(), n: fc.integer({ min: 1, max: 6 }) }),
);

function mutate(seed: Buffer, mutations: Mutation[]): Buffer {
  let b = Buffer.from(seed);
  for (const m of mutations) {
    const at = b.length === 0 ? 0 : m.at % b.length;
    if (m.kind === 'flip' && b.length > 0) b[at] = m.value;
    else if (m.kind === 'cut') b = b.subarray(0, at);
    else if (m.kind === 'insert') b = Buffer.concat([b.subarray(0, at), Buffer.from(m.bytes), b.subarray(at)]);
    else if (m.kind === 'delete') b = Buffer.concat([b.subarray(0, at), b.subarray(at + m.n)]);
  }
  return b;
}

describe('respond under fuzzing (fast-check)', () => {
  it('random bytes: no throw, and an undecodable packet gets FORMERR or nothing (10,000 cases)', () => {
    fc.assert(
      // size 'max': lengths spread to 600 bytes (by default fast-check makes at most 10, short of a 12-byte header).
      fc.property(fc.uint8Array({ maxLength: 600, size: 'max' }), fc.nat(3), (bytes, c) => {
        const buf = Buffer.from(bytes);
        const rcode = checkOutcome(buf, c);
        if (!decodes(buf)) check(rcode === 'FORMERR' || rcode === 'DROPPED', `undecodable packet got ${rcode}`, buf);
      }),
      { numRuns: 10_000 },
    );
  });

  it('mutated valid queries: no throw, well-formed responses (40,000 cases)', () => {
    fc.assert(
      fc.property(fc.constantFrom(...seeds), fc.array(mutation, { minLength: 1, maxLength: 4 }), fc.nat(3), (seed, ms, c) => {
        const buf = mutate(seed, ms);
        const rcode = checkOutcome(buf, c);
        if (!decodes(buf)) check(rcode === 'FORMERR' || rcode === 'DROPPED', `undecodable packet got ${rcode}`, buf);
      }),
      { numRuns: 40_000 },
    );
  });

  const label = fc.oneof(
    fc.constantFrom('cdn', 'cdnlab', 'test', 'e1', 'e39', 'ns1', 'nope', 'CDN', 'a.b'),
    fc.uint8Array({ minLength: 1, maxLength: 63 }).map((a) => Buffer.from(a).toString('latin1')),
  );
  const rawName = fc.array(label, { maxLength: 8 }).map((labels) => {
    const parts: Buffer[] = [];
    for (const l of labels) {
      const b = Buffer.from(l, 'latin1');
      parts.push(Buffer.from([b.length]), b);
    }
    parts.push(Buffer.from([0]));
    return Buffer.concat(parts);
  });
  const zoneSuffix = fc.boolean();
  const option = fc.record({ code: fc.oneof(fc.constant(8), fc.integer({ min: 0, max: 65535 })), data: fc.uint8Array({ maxLength: 24 }) });

  it('structured queries with random names, types, classes, flags and OPT: no throw (30,000 cases)', () => {
    fc.assert(
      fc.property(
        fc.record({
          id: fc.integer({ min: 0, max: 65535 }),
          flags: fc.integer({ min: 0, max: 0x7fff }),
          name: rawName,
          inZone: zoneSuffix,
          qtype: fc.oneof(fc.constantFrom(1, 2, 6, 16, 28, 41, 251, 252, 255), fc.integer({ min: 0, max: 65535 })),
          qclass: fc.oneof(fc.constant(1), fc.integer({ min: 0, max: 65535 })),
          opt: fc.option(fc.record({ payload: fc.integer({ min: 0, max: 65535 }), version: fc.integer({ min: 0, max: 3 }), options: fc.array(option, { maxLength: 3 }) })),
          client: fc.nat(3),
        }),
        (q) => {
          const name = q.inZone ? Buffer.concat([q.name.subarray(0, q.name.length - 1), Buffer.from('\x03cdn\x06cdnlab\x04test\x00', 'latin1')]) : q.name;
          if (name.length > 300) return;
          const header = Buffer.alloc(12);
          header.writeUInt16BE(q.id, 0);
          header.writeUInt16BE(q.flags, 2);
          header.writeUInt16BE(1, 4);
          header.writeUInt16BE(q.opt ? 1 : 0, 10);
          const tail = Buffer.alloc(4);
          tail.writeUInt16BE(q.qtype, 0);
          tail.writeUInt16BE(q.qclass, 2);
          const parts = [header, name, tail];
          if (q.opt) {
            const opts = Buffer.concat(
              q.opt.options.map((o) => {
                const h = Buffer.alloc(4);
                h.writeUInt16BE(o.code, 0);
                h.writeUInt16BE(o.data.length, 2);
                return Buffer.concat([h, Buffer.from(o.data)]);
              }),
            );
            const rr = Buffer.alloc(11);
            rr.writeUInt16BE(41, 1);
            rr.writeUInt16BE(q.opt.payload, 3);
            rr[6] = q.opt.version;
            rr.writeUInt16BE(opts.length, 9);
            parts.push(rr, opts);
          }
          checkOutcome(Buffer.concat(parts), q.client);
        },
      ),
      { numRuns: 30_000 },
    );
  });
});
