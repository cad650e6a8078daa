import type { IpBytes } from './ip';
import { hasBitsAfter } from './ip';

// EDNS Client Subnet, RFC 7871. A resolver tells us (part of) its client's
// address so that geo answers follow the client, not the resolver.

export const ECS_OPTION_CODE = 8;

export interface ClientSubnet extends IpBytes {
  sourcePrefix: number;
  scopePrefix: number;
  /** FAMILY as on the wire (1 = IPv4, 2 = IPv6, RFC 7871 §6 / IANA address family numbers). */
  wireFamily: 1 | 2;
}

/**
 * Parse the option payload (after OPTION-CODE and OPTION-LENGTH). Returns a
 * string naming the defect when the option is malformed; RFC 7871 §6 and
 * §7.2.1 say such a query gets FORMERR.
 */
export function parseClientSubnet(data: Buffer): ClientSubnet | string {
  if (data.length < 4) return `ECS option is ${data.length} bytes, needs at least 4`;
  const wireFamily = data.readUInt16BE(0);
  if (wireFamily !== 1 && wireFamily !== 2) return `ECS FAMILY ${wireFamily} is not 1 (IPv4) or 2 (IPv6)`;
  const sourcePrefix = data[2];
  const scopePrefix = data[3];
  const size = wireFamily === 1 ? 4 : 16;
  if (sourcePrefix > size * 8) return `ECS SOURCE PREFIX-LENGTH ${sourcePrefix} exceeds ${size * 8}`;
  // §6: ADDRESS carries exactly ceil(SOURCE PREFIX-LENGTH / 8) octets.
  const addrLen = data.length - 4;
  if (addrLen !== Math.ceil(sourcePrefix / 8)) {
    return `ECS ADDRESS has ${addrLen} octets, SOURCE PREFIX-LENGTH ${sourcePrefix} needs ${Math.ceil(sourcePrefix / 8)}`;
  }
  const bytes = new Uint8Array(size);
  data.copy(bytes, 0, 4);
  // §6: bits past the source prefix MUST be zero, and a server SHOULD answer FORMERR.
  if (hasBitsAfter(bytes, sourcePrefix)) return 'ECS ADDRESS has bits set beyond SOURCE PREFIX-LENGTH';
  return { family: wireFamily === 1 ? 4 : 6, wireFamily, bytes, sourcePrefix, scopePrefix };
}

/**
 * The option echoed in the response: FAMILY, SOURCE PREFIX-LENGTH and ADDRESS
 * as the query sent them, SCOPE PREFIX-LENGTH set by us (RFC 7871 §7.2.1).
 */
export function encodeClientSubnet(ecs: ClientSubnet, scopePrefix: number): Buffer {
  const addrLen = Math.ceil(ecs.sourcePrefix / 8);
  const out = Buffer.alloc(4 + addrLen);
  out.writeUInt16BE(ecs.wireFamily, 0);
  out[2] = ecs.sourcePrefix;
  out[3] = Math.min(scopePrefix, ecs.family === 4 ? 32 : 128);
  Buffer.from(ecs.bytes.buffer, ecs.bytes.byteOffset, addrLen).copy(out, 4);
  return out;
}
