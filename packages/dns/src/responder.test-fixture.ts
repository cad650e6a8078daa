import * as dnsPacket from 'dns-packet';
import { CoverageMap } from './coverage';
import type { PolicyEdge } from './policy';
import type { ResponderState, Selection } from './responder';
import { Zone } from './zone';

// Shared by the responder's example tests and its fuzz test: a small zone
// and a deterministic selection (the first `count` candidates of the region).

export const ZONE = 'cdn.cdnlab.test';

export function edgesFixture(n = 4): PolicyEdge[] {
  const out: PolicyEdge[] = [];
  for (let i = 0; i < n; i++) {
    out.push({ id: `e${i}`, region: i % 2 === 0 ? 'eu' : 'us', address: `127.0.1.${i + 1}`, grpcAddress: '127.0.0.1:1', weight: 1, family: 4 });
  }
  out.push({ id: 'v6', region: 'us', address: '2001:db8::1', grpcAddress: '127.0.0.1:1', weight: 1, family: 6 });
  return out;
}

export function stateFixture(opts: { edges?: PolicyEdge[]; answers?: number; select?: ResponderState['select'] } = {}): ResponderState {
  const edges = opts.edges ?? edgesFixture();
  const count = opts.answers ?? 2;
  return {
    zone: new Zone({ zone: ZONE, edges, nsAddress: '127.0.0.53', nsFamily: 4, ttlSeconds: 30, serial: 1 }),
    coverage: new CoverageMap([
      { name: 'eu', cidrs: ['10.1.0.0/16'] },
      { name: 'us', cidrs: ['10.2.0.0/16', '2001:db8:2::/48'] },
    ]),
    maxUdpPayload: 1232,
    select:
      opts.select ??
      ((family, region): Selection => {
        const fam = edges.filter((e) => e.family === family);
        const mine = fam.filter((e) => e.region === region);
        return { edges: [...mine, ...fam.filter((e) => e.region !== region)].slice(0, count), ttl: 20 };
      }),
  };
}

export interface QueryOpts {
  name?: string;
  type?: dnsPacket.RecordType | 'ANY';
  id?: number;
  rd?: boolean;
  edns?: boolean | { payload?: number; version?: number; options?: Array<{ code: number; data: Buffer }> };
  subnet?: string;
}

/** Encode a query the way a stub or dig would. */
export function queryPacket(opts: QueryOpts = {}): Buffer {
  const additionals: dnsPacket.Answer[] = [];
  const edns = opts.edns ?? (opts.subnet ? true : false);
  if (edns) {
    const e = typeof edns === 'object' ? edns : {};
    const options: Array<{ code: number; data: Buffer }> = [...(e.options ?? [])];
    if (opts.subnet) {
      const [ip, len] = opts.subnet.split('/');
      const bytes = ip.split('.').map(Number);
      const prefix = Number(len);
      options.push({ code: 8, data: Buffer.from([0, 1, prefix, 0, ...bytes.slice(0, Math.ceil(prefix / 8))]) });
    }
    additionals.push({ name: '.', type: 'OPT', udpPayloadSize: e.payload ?? 1232, extendedRcode: 0, ednsVersion: e.version ?? 0, flags: 0, options } as unknown as dnsPacket.Answer);
  }
  return dnsPacket.encode({
    id: opts.id ?? 4242,
    type: 'query',
    flags: opts.rd === false ? 0 : dnsPacket.RECURSION_DESIRED,
    questions: [{ name: opts.name ?? ZONE, type: (opts.type ?? 'A') as dnsPacket.RecordType, class: 'IN' }],
    additionals,
  });
}
