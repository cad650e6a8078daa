import { Zone, nextSerial } from './zone';

const zone = (serial = 100, ttlSeconds = 30) =>
  new Zone({ zone: 'cdn.cdnlab.test', edges: [], nsAddress: '127.0.0.53', nsFamily: 4, ttlSeconds, serial });

describe('nextSerial (RFC 1982 serial arithmetic)', () => {
  it('takes the clock when it is ahead, one more otherwise', () => {
    expect(nextSerial(1_700_000_000, 1_700_000_500.9)).toBe(1_700_000_500);
    expect(nextSerial(1_700_000_000, 1_700_000_000)).toBe(1_700_000_001); // same second
    expect(nextSerial(1_700_000_000, 1_600_000_000)).toBe(1_700_000_001); // clock behind the serial
  });

  it('wraps past 2^32 - 1, and never takes a clock half the space or more away', () => {
    expect(nextSerial(2 ** 32 - 1, 0)).toBe(0);
    expect(nextSerial(2 ** 32 - 1, 5)).toBe(5); // 6 ahead across the wrap
    expect(nextSerial(10, 10 + 2 ** 31)).toBe(11); // undefined under RFC 1982 §3.2: do not jump there
  });
});

describe('Zone.setTtl', () => {
  it('rebuilds the SOA and the negative SOA, and bumps the serial only on a change', () => {
    const z = zone();
    expect(z.setTtl(30, 5000)).toBe(false);
    expect(z.serial).toBe(100);
    expect(z.soa()).toMatchObject({ ttl: 30, data: { serial: 100, minimum: 30 } });
    expect(z.setTtl(4, 5000)).toBe(true);
    expect([z.serial, z.ttlSeconds, z.negativeTtl]).toEqual([5000, 4, 4]);
    expect(z.soa()).toMatchObject({ ttl: 4, data: { serial: 5000, minimum: 4 } });
    expect(z.negativeSoa()).toMatchObject({ ttl: 4, data: { serial: 5000, minimum: 4 } });
    expect(z.setTtl(0, 5000)).toBe(true); // a second change within the same second still moves on
    expect([z.serial, z.negativeTtl]).toEqual([5001, 0]);
  });

  it('rejects a TTL that is not a 31-bit whole number of seconds', () => {
    expect(() => zone().setTtl(-1, 0)).toThrow('expected ttl seconds to be an integer from 0 to 2147483647, got -1');
    expect(() => zone().setTtl(2 ** 31, 0)).toThrow('expected ttl seconds to be an integer from 0 to 2147483647');
    expect(() => zone(1, 1.5)).toThrow('expected opts.ttlSeconds to be an integer');
  });
});
