import path from 'node:path';
import { parse } from 'yaml';
import { loadTopologyFile } from '@cdnlab/scenario';
import { composeFor } from './compose-file';
import { stackFileFrom } from './compose-stack';

const DEFAULT = path.resolve(__dirname, '../../../topologies/default.yaml');

type Doc = { services: Record<string, Record<string, unknown>> };

describe('stackFileFrom', () => {
  const compose = composeFor(loadTopologyFile(DEFAULT), { header: 'kept' });
  const before = parse(compose) as Doc;
  const after = parse(stackFileFrom(compose)) as Doc;

  it('turns depends_on maps into lists of the same services and drops profiles', () => {
    expect(after.services.shield?.depends_on).toEqual(['origin']);
    expect(after.services.control?.depends_on).toEqual(Object.keys(before.services.control?.depends_on as object));
    expect(after.services.cli?.profiles).toBeUndefined();
    expect(after.services.cli?.deploy).toEqual({ endpoint_mode: 'dnsrr', replicas: 0 });
  });

  it('changes nothing else', () => {
    for (const [id, s] of Object.entries(before.services)) {
      const { depends_on: _a, profiles: _b, ...rest } = s;
      const { depends_on: _c, profiles: _d, ...restAfter } = after.services[id] as Record<string, unknown>;
      expect(restAfter).toEqual(rest);
    }
    expect(stackFileFrom(compose).startsWith('# kept')).toBe(true);
  });

  it('fails clearly on a file that is not a compose file', () => {
    expect(() => stackFileFrom('services: [1, 2]')).toThrow('expected a compose file with a services: map');
    expect(() => stackFileFrom('services:\n  a:\n    depends_on: x\n')).toThrow('services.a.depends_on: expected a map or a list');
    expect(() => stackFileFrom('services: {a: [}')).toThrow(/does not parse/);
  });
});
