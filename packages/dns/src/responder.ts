import * as dnsPacket from 'dns-packet';
import type { Answer, OptAnswer } from 'dns-packet';
import type { CoverageMap, CoverageMatch } from './coverage';
import { type ClientSubnet, ECS_OPTION_CODE, encodeClientSubnet, parseClientSubnet } from './ecs';
import type { PolicyEdge } from './policy';
import type { Zone } from './zone';

// The pure part of the server: one query packet in, one response packet (or
// nothing) out, given the zone, the coverage map and a selection function.
// No sockets and no clock, so it can be fuzzed with hundreds of thousands of
// packets. It must never throw on any input.

export const RCODE = { NOERROR: 0, FORMERR: 1, SERVFAIL: 2, NXDOMAIN: 3, NOTIMP: 4, REFUSED: 5, BADVERS: 16 } as const;
export type RcodeName = keyof typeof RCODE;

const QTYPE = { A: 1, NS: 2, SOA: 6, HINFO: 13, AAAA: 28, IXFR: 251, AXFR: 252, ANY: 255 } as const;
const CLASS_IN = 1;
const FLAG_QR = 0x8000;
const FLAG_AA = 0x0400;
const FLAG_TC = 0x0200;
const FLAG_RD = 0x0100;
const FLAG_CD = 0x0010;
const OPT_DO = 0x8000;
/** RFC 1035 §4.2.1: the UDP limit without EDNS. */
export const CLASSIC_UDP_LIMIT = 512;
/** RFC 1035 §4.2.2: the largest message a two-byte TCP length prefix can frame. */
const TCP_MESSAGE_LIMIT = 0xffff;

export interface Selection {
  edges: readonly PolicyEdge[];
  ttl: number;
}

export interface ResponderState {
  zone: Zone;
  coverage: CoverageMap;
  defaultRegion?: string;
  /** Our own EDNS UDP payload size (RFC 6891 §6.2.5). */
  maxUdpPayload: number;
  /**
   * Pick answers for the apex. undefined means "no usable edge and the
   * service fails closed": the responder turns that into SERVFAIL.
   */
  select(family: 4 | 6, region: string | undefined): Selection | undefined;
}

export interface ClientInfo {
  /** Source address of the packet (or TCP peer). */
  address: string;
  transport: 'udp' | 'tcp';
}

export interface Outcome {
  /** undefined: send nothing (unparseable header, or the packet was itself a response). */
  response: Buffer | undefined;
  rcode: RcodeName | 'DROPPED';
  region?: string;
  /** True when the policy chose the answer (A/AAAA at the apex). */
  policyAnswer: boolean;
  truncated: boolean;
}

interface Header {
  id: number;
  opcode: number;
  /** RD and CD copied from the query (RFC 1035 §4.1.1; RFC 6840 §5.9). */
  copied: number;
}

interface RawQuestion {
  labels: string[];
  raw: Buffer;
  qtype: number;
  qclass: number;
}

interface Edns {
  payload: number;
  dnssecOk: boolean;
  ecs?: ClientSubnet;
}

const DROPPED: Outcome = { response: undefined, rcode: 'DROPPED', policyAnswer: false, truncated: false };

export function respond(query: Buffer, state: ResponderState, client: ClientInfo): Outcome {
  if (query.length < 12) return DROPPED;
  const flags = query.readUInt16BE(2);
  // Never answer a response: two servers could bounce errors forever.
  if (flags & FLAG_QR) return DROPPED;
  const header: Header = { id: query.readUInt16BE(0), opcode: (flags >> 11) & 0xf, copied: flags & (FLAG_RD | FLAG_CD) };

  let packet: dnsPacket.DecodedPacket;
  try {
    packet = dnsPacket.decode(query);
  } catch {
    return bare(header, 'FORMERR');
  }
  // Trailing bytes mean the counts and the content disagree.
  if (dnsPacket.decode.bytes !== query.length) return bare(header, 'FORMERR');

  // EDNS(0), RFC 6891. §6.1.1: a query with an OPT gets an OPT back in every
  // response, errors included; §7: so a client can tell a FORMERR about its
  // EDNS from a server without EDNS (and does not fall back to plain DNS).
  const opts = (packet.additionals ?? []).filter((a) => a.type === 'OPT') as OptAnswer[];
  let edns: Edns | undefined;
  if (opts.length > 0) {
    // §6.2.5: values below 512 are treated as 512.
    edns = { payload: Math.max(CLASSIC_UDP_LIMIT, opts[0].udpPayloadSize), dnssecOk: (opts[0].flags & OPT_DO) !== 0 };
  }
  if (header.opcode !== 0) return bare(header, 'NOTIMP', edns && optRecord(edns, 'NOTIMP', state));
  if ((packet.questions ?? []).length !== 1) return bare(header, 'FORMERR', edns && optRecord(edns, 'FORMERR', state));
  const question = readQuestion(query);
  if (!question) return bare(header, 'FORMERR', edns && optRecord(edns, 'FORMERR', state));

  if (edns) {
    const opt = opts[0];
    // An error about the query's EDNS: our OPT, without any ECS option (the
    // part of the query we could not read is not echoed).
    const ednsError = (rcode: RcodeName): Outcome => build(header, question, rcode, [], [], { ...edns!, ecs: undefined }, state, client);
    if (opts.length > 1) return ednsError('FORMERR'); // §6.1.1
    if (opt.name !== '.') return ednsError('FORMERR'); // §6.1.2: owner MUST be root
    // §6.1.3: we speak version 0 only; a higher version gets BADVERS.
    if (opt.ednsVersion !== 0) return ednsError('BADVERS');
    for (const option of opt.options ?? []) {
      if (option.code !== ECS_OPTION_CODE) continue;
      // RFC 7871 does not say what two ECS options would mean; rather than
      // guess which one the resolver meant, we reject the query.
      if (edns.ecs) return ednsError('FORMERR');
      const ecs = parseClientSubnet(option.data ?? Buffer.alloc(0));
      if (typeof ecs === 'string') return ednsError('FORMERR');
      edns.ecs = ecs;
    }
  }

  // Where is the client? The subnet a resolver told us about (RFC 7871), else
  // the packet's source address. SOURCE PREFIX-LENGTH 0 means "do not use my
  // address", so then we fall back to the source too, with scope 0.
  const ecs = edns?.ecs;
  const match: CoverageMatch =
    ecs && ecs.sourcePrefix > 0 ? state.coverage.lookup(ecs, ecs.sourcePrefix) : state.coverage.lookupAddress(client.address);
  const region = match.region ?? state.defaultRegion;

  const a = answer(question, state, region);
  // RFC 7871 §12.1: an answer the client's subnet did not shape (SOA, NS, an
  // edge's own name, errors) gets SCOPE PREFIX-LENGTH 0, so resolvers cache it
  // once for everyone; §7.4: negative answers (NXDOMAIN, NODATA) too.
  if (ecs) ecs.scopePrefix = ecs.sourcePrefix > 0 && a.policyAnswer && a.answers.length > 0 ? match.scopePrefix : 0;
  const out = build(header, question, a.rcode, a.answers, a.authorities, edns, state, client, a.additionals);
  out.region = region;
  out.policyAnswer = a.policyAnswer;
  return out;
}

interface Answered {
  rcode: RcodeName;
  answers: Answer[];
  authorities: Answer[];
  additionals: Answer[];
  policyAnswer: boolean;
}

const NONE: Answer[] = [];

function answered(rcode: RcodeName, answers = NONE, authorities = NONE, additionals = NONE, policyAnswer = false): Answered {
  return { rcode, answers, authorities, additionals, policyAnswer };
}

/** RFC 2308 §2.2 NODATA: the name exists, the type does not; SOA in authority. */
function nodata(state: ResponderState): Answered {
  return answered('NOERROR', NONE, [state.zone.negativeSoa()]);
}

/** The answer sections for a well-formed query (no closures: this runs per packet). */
function answer(question: RawQuestion, state: ResponderState, region: string | undefined): Answered {
  // We serve class IN only; anything else is not ours to answer.
  if (question.qclass !== CLASS_IN) return answered('REFUSED');
  const place = state.zone.classify(question.labels);
  // Authoritative only, no recursion (RA stays 0): names outside the zone are refused.
  if (place.kind === 'outside') return answered('REFUSED');
  if (place.kind === 'nxdomain') return answered('NXDOMAIN', NONE, [state.zone.negativeSoa()]);
  const { qtype } = question;
  // Our zone, but we hand out no copies of it (and its apex changes per query anyway).
  if (qtype === QTYPE.AXFR || qtype === QTYPE.IXFR) return answered('REFUSED');
  const owner = question.labels.join('.');

  // RFC 8482: ANY gets one small synthesized HINFO, so the name cannot be used to amplify.
  if (qtype === QTYPE.ANY) {
    return answered('NOERROR', [{ name: owner, type: 'HINFO', ttl: state.zone.negativeTtl, data: { cpu: 'RFC8482', os: '' } }]);
  }

  switch (place.kind) {
    case 'apex': {
      if (qtype === QTYPE.SOA) return answered('NOERROR', [{ ...state.zone.soa(), name: owner } as Answer]);
      if (qtype === QTYPE.NS) return answered('NOERROR', [{ ...state.zone.ns(), name: owner } as Answer], NONE, [state.zone.nsGlue()]);
      if (qtype !== QTYPE.A && qtype !== QTYPE.AAAA) return nodata(state);
      const family = qtype === QTYPE.A ? 4 : 6;
      const selection = state.select(family, region);
      if (!selection) return answered('SERVFAIL', NONE, NONE, NONE, true);
      if (selection.edges.length === 0) return nodata(state);
      const type = family === 4 ? 'A' : 'AAAA';
      const answers: Answer[] = [];
      for (const e of selection.edges) answers.push({ name: owner, type, ttl: selection.ttl, data: e.address });
      return answered('NOERROR', answers, NONE, NONE, true);
    }
    case 'ns': {
      const want = state.zone.nsFamily() === 4 ? QTYPE.A : QTYPE.AAAA;
      if (qtype !== want) return nodata(state);
      return answered('NOERROR', [{ ...state.zone.nsGlue(), name: owner } as Answer]);
    }
    case 'edge': {
      const want = place.edge.family === 4 ? QTYPE.A : QTYPE.AAAA;
      if (qtype !== want) return nodata(state);
      const type = place.edge.family === 4 ? 'A' : 'AAAA';
      return answered('NOERROR', [{ name: owner, type, ttl: state.zone.ttlSeconds, data: place.edge.address } as Answer]);
    }
  }
}

/**
 * The question as raw labels and bytes. We echo these bytes verbatim rather
 * than re-encoding dns-packet's string form, which would turn a label holding
 * a '.' byte into two labels and mangle non-UTF-8 bytes. A compression pointer
 * in the question is refused: nothing precedes it for it to point at.
 */
function readQuestion(buf: Buffer): RawQuestion | undefined {
  const labels: string[] = [];
  let off = 12;
  let wire = 0;
  for (;;) {
    if (off >= buf.length) return undefined;
    const len = buf[off];
    if (len === 0) {
      off++;
      break;
    }
    if (len > 63 || off + 1 + len > buf.length) return undefined;
    wire += len + 1;
    if (wire > 254) return undefined; // RFC 1035 §2.3.4: 255 octets including the root
    labels.push(buf.toString('latin1', off + 1, off + 1 + len));
    off += len + 1;
  }
  if (off + 4 > buf.length) return undefined;
  return { labels, raw: buf.subarray(12, off + 4), qtype: buf.readUInt16BE(off), qclass: buf.readUInt16BE(off + 2) };
}

/**
 * RFC 1035 §4.1.1: AA says the responder is an authority for the name in
 * the question, and the answer is its zone's own data. We set it on NOERROR
 * (records, or NODATA, RFC 2308 §2.2) and NXDOMAIN (which §4.1.1 calls
 * meaningful only from an authority), and on nothing else: not on REFUSED
 * (a name outside the zone, another class, a zone transfer we do not give),
 * not on SERVFAIL (no usable edge: there is no data to vouch for), not on
 * FORMERR, NOTIMP or BADVERS. NSD and Knot likewise raise AA only where
 * they answer from zone data, not on their error paths. Every NOERROR and
 * NXDOMAIN we send is about a name inside our zone (outside names are
 * REFUSED first), and we hold no delegations, so no referral (NOERROR
 * without AA) can occur; should one appear, this is the rule to change.
 */
function authoritative(rcode: RcodeName): boolean {
  return rcode === 'NOERROR' || rcode === 'NXDOMAIN';
}

function headerFlags(header: Header, rcode: RcodeName): number {
  return (header.opcode << 11) | (authoritative(rcode) ? FLAG_AA : 0) | header.copied | (RCODE[rcode] & 0xf);
}

/**
 * A header-only error (no question) for packets we could not make sense of,
 * with our OPT when the query had one (RFC 6891 §6.1.1).
 */
function bare(header: Header, rcode: RcodeName, opt?: Answer): Outcome {
  const flags = headerFlags(header, rcode);
  if (opt) {
    const response = dnsPacket.encode({ id: header.id, type: 'response', flags, questions: [], additionals: [opt] });
    return { response, rcode, policyAnswer: false, truncated: false };
  }
  const out = Buffer.alloc(12);
  out.writeUInt16BE(header.id, 0);
  out.writeUInt16BE(FLAG_QR | flags, 2);
  return { response: out, rcode, policyAnswer: false, truncated: false };
}

function optRecord(edns: Edns, rcode: RcodeName, state: ResponderState): Answer {
  const options = edns.ecs ? [{ code: ECS_OPTION_CODE, data: encodeClientSubnet(edns.ecs, edns.ecs.scopePrefix) }] : [];
  return {
    name: '.',
    type: 'OPT',
    udpPayloadSize: state.maxUdpPayload,
    // §6.1.3: the upper 8 bits of the 12-bit RCODE live in the OPT TTL field.
    extendedRcode: RCODE[rcode] >> 4,
    ednsVersion: 0,
    // RFC 3225 §3: the DO bit is copied into the response.
    flags: edns.dnssecOk ? OPT_DO : 0,
    options,
  } as unknown as Answer;
}

function encodeWithQuestion(header: Header, flags: number, question: RawQuestion, answers: Answer[], authorities: Answer[], additionals: Answer[]): Buffer {
  // Encode header and sections after room for the question, then move the
  // header to the front and put the raw question between: one allocation.
  const packet = { id: header.id, type: 'response' as const, flags, questions: [], answers, authorities, additionals };
  const q = question.raw.length;
  const out = Buffer.allocUnsafe(dnsPacket.encodingLength(packet) + q);
  dnsPacket.encode(packet, out, q);
  out.copy(out, 0, q, q + 12);
  question.raw.copy(out, 12);
  out.writeUInt16BE(1, 4);
  return out;
}

function build(
  header: Header,
  question: RawQuestion,
  rcode: RcodeName,
  answers: Answer[],
  authorities: Answer[],
  edns: Edns | undefined,
  state: ResponderState,
  client: ClientInfo,
  additionals: Answer[] = [],
): Outcome {
  const opt = edns ? [optRecord(edns, rcode, state)] : [];
  const flags = headerFlags(header, rcode);
  let response = encodeWithQuestion(header, flags, question, answers, authorities, [...additionals, ...opt]);
  let truncated = false;
  // RFC 1035 §4.2.2: over TCP the two-byte length prefix caps a message at
  // 65535 bytes (1000 answers under a long zone name exceed it).
  const limit = client.transport === 'tcp' ? TCP_MESSAGE_LIMIT : edns ? Math.min(edns.payload, state.maxUdpPayload) : CLASSIC_UDP_LIMIT;
  if (response.length > limit) {
    // RFC 2181 §9 / RFC 1035 §4.2.1: too big. Send TC with the sections
    // emptied (keeping OPT, RFC 6891 §7): over UDP the client retries over
    // TCP; over TCP it at least learns the answer did not fit.
    truncated = true;
    response = encodeWithQuestion(header, flags | FLAG_TC, question, [], [], opt);
  }
  return { response, rcode, policyAnswer: false, truncated };
}
