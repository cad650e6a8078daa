import { ConfigError, DEFAULT_RPC_TIMEOUT_MS, parseControlConfig } from './config';

const node = (id: string, role: string, parents: string[] = []) => ({ id, role, region: 'eu', grpcAddress: '127.0.0.1:7001', parents });
const valid = () => ({
  grpc: { host: '127.0.0.1', port: 0 },
  http: { host: '127.0.0.1', port: 8080 },
  defaultFanout: 'tree',
  nodes: [node('o1', 'origin'), node('s1', 'shield', ['o1']), node('r1', 'regional', ['s1']), node('e1', 'edge', ['r1', 's1'])],
});

function fieldOf(input: unknown): string {
  try {
    parseControlConfig(input);
  } catch (err) {
    expect(err).toBeInstanceOf(ConfigError);
    const { field, message } = err as ConfigError;
    // The message leads with the field, so a user sees where without reading code.
    expect(message.startsWith(`${field}: `)).toBe(true);
    return `${field} | ${message.slice(field.length + 2)}`;
  }
  throw new Error('expected a ConfigError');
}

describe('parseControlConfig', () => {
  it('accepts a valid config, as a value or as JSON text, and fills in defaults', () => {
    const parsed = parseControlConfig(JSON.stringify(valid()));
    expect(parsed).toMatchObject({ id: 'control', defaultFanout: 'tree', rpcTimeoutMs: DEFAULT_RPC_TIMEOUT_MS, purgeOrigin: false });
    expect(parsed.token).toBeUndefined();
    expect(parseControlConfig(parsed)).toEqual(parsed); // idempotent
  });

  const cases: Array<[string, (c: ReturnType<typeof valid> & Record<string, unknown>) => void, RegExp]> = [
    ['unknown parent id', (c) => (c.nodes[3].parents = ['r1', 'r9']), /^nodes\[3\]\.parents\[1\] \| .*unknown node id "r9"/],
    ['self parent', (c) => (c.nodes[2].parents = ['r1']), /^nodes\[2\]\.parents\[0\] \| .*its own parent/],
    ['edge as parent', (c) => c.nodes.push(node('e2', 'edge', ['e1'])), /^nodes\[4\]\.parents\[0\] \| .*"e1" is an edge/],
    ['origin with parents', (c) => (c.nodes[0].parents = ['s1']), /^nodes\[0\]\.parents \| .*origin has no parents/],
    ['parent cycle', (c) => c.nodes.push(node('r2', 'regional', ['r3']), node('r3', 'regional', ['r2'])), /parent cycle r2 -> r3 -> r2/],
    ['duplicate id', (c) => c.nodes.push(node('s1', 'shield')), /^nodes\[4\]\.id \| .*duplicate id "s1" \(also nodes\[1\]\)/],
    ['bad role', (c) => (c.nodes[1].role = 'cache'), /^nodes\[1\]\.role \| expected one of edge, regional, shield, origin, got "cache"/],
    ['bad address', (c) => (c.nodes[2].grpcAddress = 'localhost'), /^nodes\[2\]\.grpcAddress \| expected "host:port"/],
    ['port out of range', (c) => (c.http.port = 70000), /^http\.port \| expected an integer in \[0, 65535\], got 70000/],
    ['unknown fan-out', (c) => (c.defaultFanout = 'gossip'), /^defaultFanout \| expected one of direct, tree, got "gossip"/],
    ['unknown field', (c) => (c.fanout = 'tree'), /^fanout \| unknown field/],
    ['bad timeout', (c) => (c.rpcTimeoutMs = -1), /^rpcTimeoutMs \| expected an integer/],
    ['id clash', (c) => (c.id = 'e1'), /^id \| "e1" is also the id of nodes\[3\]/],
    ['nodes missing', (c) => delete (c as Record<string, unknown>).nodes, /^nodes \| expected an array/],
  ];
  it.each(cases)('names the field: %s', (_name, mutate, expected) => {
    const c = valid() as ReturnType<typeof valid> & Record<string, unknown>;
    mutate(c);
    expect(fieldOf(c)).toMatch(expected);
  });

  it('rejects a token with spaces without echoing it', () => {
    const message = fieldOf({ ...valid(), token: 'my secret' });
    expect(message).toMatch(/^token \| /);
    expect(message).not.toContain('my secret');
  });

  it('rejects text that is not JSON', () => {
    expect(fieldOf('{nope')).toMatch(/^\(config\) \| .*not valid JSON/);
  });
});
