import { CoverageMap } from './coverage';
import { parseIp } from './ip';

const map = new CoverageMap([
  { name: 'wide', cidrs: ['10.0.0.0/8'] },
  { name: 'narrow', cidrs: ['10.1.0.0/16', '2001:db8:1::/48'] },
  { name: 'v6', cidrs: ['2001:db8::/32'] },
  { name: 'host', cidrs: ['192.0.2.7/32'] },
]);

const ip = (s: string) => {
  const parsed = parseIp(s);
  if (!parsed) throw new Error(`bad address ${s}`);
  return parsed;
};

describe('CoverageMap', () => {
  it('picks the longest matching prefix, whatever the file order', () => {
    expect(map.lookupAddress('10.1.2.3').region).toBe('narrow');
    expect(map.lookupAddress('10.2.2.3').region).toBe('wide');
    expect(map.lookupAddress('2001:db8:1::5').region).toBe('narrow');
    expect(map.lookupAddress('2001:db8:2::5').region).toBe('v6');
    expect(map.lookupAddress('192.0.2.7').region).toBe('host');
    expect(map.lookupAddress('192.0.2.8').region).toBeUndefined();
  });

  it('treats IPv4-mapped IPv6 peers (dual-stack sockets) as IPv4', () => {
    expect(map.lookupAddress('::ffff:10.1.0.9').region).toBe('narrow');
  });

  it('answers undefined for garbage rather than throwing', () => {
    expect(map.lookupAddress('not an ip').region).toBeUndefined();
    expect(map.lookupAddress('').region).toBeUndefined();
  });

  it('scopes an answer to the matched prefix when nothing more specific lies inside it', () => {
    expect(map.lookup(ip('10.1.2.0'), 24)).toEqual({ region: 'narrow', scopePrefix: 16 });
    expect(new CoverageMap([{ name: 'wide', cidrs: ['10.0.0.0/8'] }]).lookup(ip('10.9.0.0'), 16)).toEqual({ region: 'wide', scopePrefix: 8 });
  });

  it('never scopes an answer over a more specific entry it does not hold (RFC 7871 §6 SCOPE)', () => {
    // 10.1.0.0/16 (narrow) lies inside 10.0.0.0/8 (wide): scope 8 would let a
    // resolver hand the wide answer to 10.1.x clients from its cache. 10.9 and
    // 10.1 part at bit 12, so /13 is the widest network that leaves it out.
    expect(map.lookup(ip('10.9.0.0'), 16)).toEqual({ region: 'wide', scopePrefix: 13 });
    expect(map.lookup(ip('10.128.0.0'), 12)).toEqual({ region: 'wide', scopePrefix: 9 });
    expect(map.lookupAddress('10.2.2.3').scopePrefix).toBe(15);
    expect(map.lookup(ip('2001:db8:2::'), 48)).toEqual({ region: 'v6', scopePrefix: 47 }); // leaves out 2001:db8:1::/48
  });

  it('does not judge a subnet by bits the client never sent', () => {
    // Only 8 bits known: the /16 cannot be confirmed, so the /8 answers, and
    // the scope is narrowed to the /16 that overlaps the client's network.
    expect(map.lookup(ip('10.0.0.0'), 8)).toEqual({ region: 'wide', scopePrefix: 16 });
  });

  it('scopes a miss to the source prefix', () => {
    expect(map.lookup(ip('172.16.0.0'), 12)).toEqual({ region: undefined, scopePrefix: 12 });
  });

  it('rejects bad CIDRs naming where they are', () => {
    expect(() => new CoverageMap([{ name: 'x', cidrs: ['10.0.0.0/8', '10.1.2.3/16'] }])).toThrow('regions[0].cidrs[1]: "10.1.2.3/16" has host bits set after /16');
    expect(() => new CoverageMap([{ name: 'x', cidrs: ['10.0.0.0/33'] }])).toThrow('longer than 32');
    expect(() => new CoverageMap([{ name: 'x', cidrs: ['10.0.0.0'] }])).toThrow('expected a CIDR');
  });
});
