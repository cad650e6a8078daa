import { encodeClientSubnet, parseClientSubnet } from './ecs';

const opt = (family: number, source: number, scope: number, addr: number[]) => Buffer.from([family >> 8, family & 255, source, scope, ...addr]);

describe('EDNS Client Subnet (RFC 7871)', () => {
  it('parses a well-formed IPv4 option', () => {
    const ecs = parseClientSubnet(opt(1, 24, 0, [10, 1, 2]));
    expect(ecs).toMatchObject({ family: 4, sourcePrefix: 24, scopePrefix: 0 });
    expect(typeof ecs !== 'string' && [...ecs.bytes]).toEqual([10, 1, 2, 0]);
  });

  it('parses IPv6 and a /0 with no address octets', () => {
    expect(parseClientSubnet(opt(2, 48, 0, [0x20, 0x01, 0x0d, 0xb8, 0, 1]))).toMatchObject({ family: 6, sourcePrefix: 48 });
    expect(parseClientSubnet(opt(1, 0, 0, []))).toMatchObject({ family: 4, sourcePrefix: 0 });
  });

  it.each([
    ['too short', Buffer.from([0, 1, 24]), 'at least 4'],
    ['unknown family', opt(3, 8, 0, [10]), 'FAMILY 3'],
    ['prefix longer than the family', opt(1, 33, 0, [1, 2, 3, 4, 5]), 'exceeds 32'],
    ['too many address octets', opt(1, 8, 0, [10, 0]), 'has 2 octets'],
    ['too few address octets', opt(1, 24, 0, [10, 1]), 'needs 3'],
    ['bits beyond the prefix', opt(1, 20, 0, [10, 1, 0x0f]), 'beyond SOURCE PREFIX-LENGTH'],
  ])('rejects %s', (_name, data, message) => {
    const got = parseClientSubnet(data);
    expect(typeof got).toBe('string');
    expect(got).toContain(message);
  });

  it('echoes family, source and address with our scope', () => {
    const ecs = parseClientSubnet(opt(1, 20, 0, [10, 1, 0x20]));
    if (typeof ecs === 'string') throw new Error(ecs);
    expect([...encodeClientSubnet(ecs, 16)]).toEqual([0, 1, 20, 16, 10, 1, 0x20]);
  });
});
