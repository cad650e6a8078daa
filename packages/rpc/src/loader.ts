/**
 * The one place where .proto files become gRPC service constructors.
 *
 * The options below are shared with the type generator (codegen.ts turns them
 * into proto-loader-gen-types flags), so the generated TypeScript types and
 * the objects seen at run time cannot drift apart (STYLE 8).
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import * as grpc from '@grpc/grpc-js';
import * as protoLoader from '@grpc/proto-loader';
import type { ProtoGrpcType as ControlProto } from './generated/control';
import type { ProtoGrpcType as DnsAdminProto } from './generated/dns_admin';
import type { ProtoGrpcType as OriginProto } from './generated/origin';
import type { ProtoGrpcType as TierProto } from './generated/tier';
import type { ProtoGrpcType as TierAdminProto } from './generated/tier_admin';

/**
 * How protobuf values map to JS. int64 becomes a plain number: every int64
 * we send (epoch ms, byte counts) is far below 2^53. Enums are their names,
 * so logs and JSON reports read well. `defaults` fills in proto3's omitted
 * zero values, so handlers see `hops: 0`, never `undefined`.
 */
export const LOADER_OPTIONS = {
  keepCase: false,
  longs: Number,
  enums: String,
  defaults: true,
  oneofs: true,
} as const satisfies protoLoader.Options;

/** Proto files, relative to the proto root; the path mirrors the package (STYLE layout). */
export const PROTO_FILES = [
  'cdnlab/tier/v1/tier.proto',
  'cdnlab/origin/v1/origin.proto',
  'cdnlab/control/v1/control.proto',
  'cdnlab/tier/v1/tier_admin.proto',
  'cdnlab/dns/v1/dns_admin.proto',
] as const;

/**
 * The proto root. Resolved from this file (packages/rpc/src -> repo/proto) so
 * it works from any working directory and in a container that copies the
 * repository layout. CDNLAB_PROTO_DIR overrides it for other layouts.
 */
export function protoDir(): string {
  const fromEnv = process.env.CDNLAB_PROTO_DIR;
  const dir = fromEnv !== undefined && fromEnv !== '' ? path.resolve(fromEnv) : path.resolve(__dirname, '..', '..', '..', 'proto');
  const probe = path.join(dir, PROTO_FILES[0]);
  if (!fs.existsSync(probe)) {
    const source = fromEnv ? 'CDNLAB_PROTO_DIR' : 'the path relative to packages/rpc/src';
    throw new Error(`expected the proto root (from ${source}) to contain ${PROTO_FILES[0]}, looked in ${dir}`);
  }
  return dir;
}

export type CdnlabProtoGrpcType = TierProto & TierAdminProto & OriginProto & ControlProto & DnsAdminProto;

/** Every package's constructors and message/enum definitions. */
export interface CdnlabProtos {
  tier: CdnlabProtoGrpcType['cdnlab']['tier']['v1'];
  origin: CdnlabProtoGrpcType['cdnlab']['origin']['v1'];
  control: CdnlabProtoGrpcType['cdnlab']['control']['v1'];
  dns: CdnlabProtoGrpcType['cdnlab']['dns']['v1'];
}

let cached: CdnlabProtos | undefined;

/** Load (once per process) and return every cdnlab service and message definition. */
export function loadProtos(): CdnlabProtos {
  if (cached) return cached;
  const packageDefinition = protoLoader.loadSync([...PROTO_FILES], { ...LOADER_OPTIONS, includeDirs: [protoDir()] });
  // The one cast in the code base: loadPackageDefinition is untyped, the
  // generated ProtoGrpcType says what it returns for these exact options.
  const loaded = grpc.loadPackageDefinition(packageDefinition) as unknown as CdnlabProtoGrpcType;
  cached = { tier: loaded.cdnlab.tier.v1, origin: loaded.cdnlab.origin.v1, control: loaded.cdnlab.control.v1, dns: loaded.cdnlab.dns.v1 };
  return cached;
}
