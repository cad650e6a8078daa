import ipaddr from 'ipaddr.js';
import { isIP } from 'node:net';

/** An address as bytes: 4 for IPv4, 16 for IPv6. */
export interface IpBytes {
  family: 4 | 6;
  bytes: Uint8Array;
}

/**
 * Parse a textual address strictly (net.isIP refuses forms like "10" or
 * "0x0a.1" that ipaddr.js would accept). IPv4-mapped IPv6 (::ffff:a.b.c.d),
 * which is what a dual-stack socket reports for IPv4 peers, becomes IPv4.
 */
export function parseIp(text: string): IpBytes | undefined {
  const family = isIP(text);
  if (family === 0) return undefined;
  const addr = ipaddr.parse(text);
  if (addr.kind() === 'ipv6') {
    const v6 = addr as ipaddr.IPv6;
    if (v6.isIPv4MappedAddress()) return { family: 4, bytes: Uint8Array.from(v6.toIPv4Address().toByteArray()) };
    return { family: 6, bytes: Uint8Array.from(v6.toByteArray()) };
  }
  return { family: 4, bytes: Uint8Array.from(addr.toByteArray()) };
}

/** True when the first `bits` bits of a and b agree. */
export function samePrefix(a: Uint8Array, b: Uint8Array, bits: number): boolean {
  const whole = bits >> 3;
  for (let i = 0; i < whole; i++) if (a[i] !== b[i]) return false;
  const rest = bits & 7;
  if (rest === 0) return true;
  const mask = (0xff << (8 - rest)) & 0xff;
  return (a[whole] & mask) === (b[whole] & mask);
}

/** How many leading bits a and b share, at most `max`. */
export function commonPrefixLength(a: Uint8Array, b: Uint8Array, max: number): number {
  for (let i = 0, bits = 0; bits < max; i++, bits += 8) {
    const diff = a[i] ^ b[i];
    if (diff !== 0) return Math.min(max, bits + Math.clz32(diff) - 24);
  }
  return max;
}

/** True when any bit after the first `bits` is set. */
export function hasBitsAfter(bytes: Uint8Array, bits: number): boolean {
  const whole = bits >> 3;
  const rest = bits & 7;
  if (rest !== 0 && (bytes[whole] & (0xff >> rest)) !== 0) return true;
  for (let i = whole + (rest === 0 ? 0 : 1); i < bytes.length; i++) if (bytes[i] !== 0) return true;
  return false;
}

export interface Cidr extends IpBytes {
  prefix: number;
}

/** Parse "a.b.c.d/n" or "x::/n"; returns an error message naming the problem. */
export function parseCidr(text: string): Cidr | string {
  const slash = text.indexOf('/');
  if (slash < 0) return `expected a CIDR like 10.0.0.0/8, got ${JSON.stringify(text)}`;
  const ip = parseIp(text.slice(0, slash));
  const prefixText = text.slice(slash + 1);
  if (!ip) return `expected a CIDR like 10.0.0.0/8, got ${JSON.stringify(text)}`;
  if (!/^\d{1,3}$/.test(prefixText)) return `expected a prefix length after "/", got ${JSON.stringify(text)}`;
  const prefix = Number(prefixText);
  const max = ip.family === 4 ? 32 : 128;
  if (prefix > max) return `prefix length ${prefix} is longer than ${max} in ${JSON.stringify(text)}`;
  if (hasBitsAfter(ip.bytes, prefix)) return `${JSON.stringify(text)} has host bits set after /${prefix}`;
  return { ...ip, prefix };
}
