import { execFileSync } from 'node:child_process';
import * as path from 'node:path';
import { loadProtos, protoDir } from '../src';

describe('loader', () => {
  it('loads every service with the fixed options', () => {
    const p = loadProtos();
    expect(Object.keys(p.tier.Tier.service)).toEqual(['Fetch', 'Purge', 'Stats']);
    expect(Object.keys(p.origin.OriginAdmin.service)).toEqual(['SetVersion', 'SetFault', 'GetCounts', 'ResetCounts', 'SetSite', 'Reset']);
    expect(Object.keys(p.control.Control.service)).toEqual(['Purge', 'Stats', 'Topology', 'Events']);
    expect(p.control.Control.service.Events.responseStream).toBe(true);
    // Loader options as the generated types assume them: camelCase, int64 as number, defaults.
    const decoded = p.tier.Tier.service.Fetch.requestDeserialize(
      p.tier.Tier.service.Fetch.requestSerialize({ notBeforeMs: 1_700_000_000_000, cacheKey: 'k' }),
    );
    expect(decoded).toMatchObject({ notBeforeMs: 1_700_000_000_000, cacheKey: 'k', hops: 0, noStoreAnswer: false, headers: [] });
  });

  it('finds the protos from any working directory', () => {
    const tsx = require.resolve('tsx/cli', { paths: [path.resolve(__dirname, '..', '..', '..')] });
    const loader = path.resolve(__dirname, '..', 'src', 'loader.ts');
    const out = execFileSync(process.execPath, [tsx, '-e', `console.log(Object.keys(require(${JSON.stringify(loader)}).loadProtos().tier.Tier.service).join())`], {
      cwd: '/',
      encoding: 'utf8',
    });
    expect(out.trim()).toBe('Fetch,Purge,Stats');
  });

  it('says where it looked when CDNLAB_PROTO_DIR is wrong', () => {
    const saved = process.env.CDNLAB_PROTO_DIR;
    process.env.CDNLAB_PROTO_DIR = '/nonexistent-proto-dir';
    try {
      expect(() => protoDir()).toThrow('expected the proto root (from CDNLAB_PROTO_DIR) to contain cdnlab/tier/v1/tier.proto, looked in /nonexistent-proto-dir');
    } finally {
      if (saved === undefined) delete process.env.CDNLAB_PROTO_DIR;
      else process.env.CDNLAB_PROTO_DIR = saved;
    }
  });
});
