import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { decodeHealthStatus, healthTarget, readNodeConfig } from './compose-healthcheck';

describe('healthTarget', () => {
  it('probes gRPC health for tier, origin and control configs, on localhost', () => {
    expect(healthTarget({ id: 'edge-na-1', grpc: { host: '0.0.0.0', port: 7070 } })).toEqual({ kind: 'grpc', port: 7070 });
    expect(healthTarget({ id: 'control', grpc: { host: '0.0.0.0', port: 7800 }, http: { host: '0.0.0.0', port: 8800 } })).toEqual({ kind: 'grpc', port: 7800 });
  });

  it('sends a DNS query to the DNS service, for its zone', () => {
    expect(healthTarget({ zone: 'cdn.cdnlab.test', listen: { host: '0.0.0.0', port: 53 } })).toEqual({ kind: 'dns', port: 53, zone: 'cdn.cdnlab.test' });
  });

  it('names what is missing or wrong', () => {
    expect(() => healthTarget([])).toThrow('expected CDNLAB_CONFIG to be a JSON object');
    expect(() => healthTarget({ id: 'x' })).toThrow(/neither grpc.port nor zone \+ listen.port/);
    expect(() => healthTarget({ grpc: { port: 0 } })).toThrow('expected grpc.port to be a port number, got 0');
    expect(() => healthTarget({ zone: 'z', listen: { port: '53' } })).toThrow('expected listen.port to be a port number, got "53"');
  });
});

describe('readNodeConfig', () => {
  it('reads inline JSON or a file path, as the entrypoints do', () => {
    expect(readNodeConfig({ CDNLAB_CONFIG: ' {"grpc":{"port":1}}' })).toEqual({ grpc: { port: 1 } });
    const file = path.join(mkdtempSync(path.join(tmpdir(), 'cdnlab-hc-')), 'c.json');
    writeFileSync(file, '{"zone":"z"}');
    expect(readNodeConfig({ CDNLAB_CONFIG: file })).toEqual({ zone: 'z' });
  });

  it('fails clearly without a config or with bad JSON', () => {
    expect(() => readNodeConfig({})).toThrow('CDNLAB_CONFIG is not set');
    expect(() => readNodeConfig({ CDNLAB_CONFIG: '{nope' })).toThrow(/CDNLAB_CONFIG is not valid JSON/);
  });
});

describe('decodeHealthStatus', () => {
  const frame = (...body: number[]) => Buffer.from([0, 0, 0, 0, body.length, ...body]);

  it('reads the status varint of a HealthCheckResponse', () => {
    expect(decodeHealthStatus(frame(0x08, 1))).toBe(1);
    expect(decodeHealthStatus(frame(0x08, 2))).toBe(2);
    // proto3 leaves a zero field out: an empty message is UNKNOWN (0).
    expect(decodeHealthStatus(frame())).toBe(0);
  });

  it('rejects compressed, truncated or unexpected messages', () => {
    expect(decodeHealthStatus(Buffer.from([1, 0, 0, 0, 2, 0x08, 1]))).toBeUndefined();
    expect(decodeHealthStatus(Buffer.from([0, 0, 0, 0, 3, 0x08, 1]))).toBeUndefined();
    expect(decodeHealthStatus(frame(0x10, 1))).toBeUndefined();
    expect(decodeHealthStatus(Buffer.alloc(2))).toBeUndefined();
  });
});
