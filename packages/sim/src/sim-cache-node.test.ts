import { createRng, getFirst, type HeaderList } from '@cdnlab/core';
import { isCacheNode } from '@cdnlab/scenario';
import { SimCacheNode } from './sim-cache-node';
import { SimNetwork } from './sim-network';
import { generateTopology } from './topology-generate';
import { sentHead, type Caller, type SimAnswer, type SimEndpoint, type SimErrorKind, type SimRequest } from './sim-types';
import { createVirtualScheduler } from './virtual-scheduler';

/**
 * One simulated edge in front of a scripted parent: what the node does with
 * answers no shipped origin gives (the synthetic origin answers 304 only to
 * a validator of its own).
 */
function edgeWithScriptedParent(answers: Array<(now: number) => SimAnswer>) {
  const topology = generateTopology({ regions: 1, edgesPerRegion: 1 });
  const config = topology.nodes.find((n) => n.role === 'edge');
  if (!config || !isCacheNode(config)) throw new Error('the generated topology has no edge');
  const scheduler = createVirtualScheduler({ loopLimit: 1e6 });
  const net = new SimNetwork(topology, createRng(1));
  const edge = new SimCacheNode(config, scheduler, net, `http://${topology.zone}`, undefined);
  const asked: SimRequest[] = [];
  const parent: SimEndpoint = {
    id: config.parents[0],
    role: 'regional',
    region: config.region,
    up: true,
    handle(req: SimRequest, to: Caller) {
      const answer = answers[asked.length](scheduler.now());
      asked.push(req);
      to.reply(undefined, answer);
    },
  };
  edge.connect([parent]);
  const get = (path: string): { error?: SimErrorKind; answer?: SimAnswer } => {
    const out: { error?: SimErrorKind; answer?: SimAnswer } = {};
    const req: SimRequest = { head: { method: 'GET', scheme: 'http', host: topology.zone, target: path, headers: [] }, notBefore: 0, noStore: false, hops: 0, deadline: scheduler.now() + 10_000, sizeBytes: undefined };
    edge.handle(req, {
      reply: (error, answer) => Object.assign(out, { error, answer }),
      givesUpAt: () => scheduler.now() + 10_000,
    });
    scheduler.runAll();
    return out;
  };
  return { scheduler, asked, get };
}

const answer = (status: number, etag: string, text: string) => (now: number): SimAnswer => ({
  head: { status, headers: [['date', new Date(now).toUTCString()], ['cache-control', 'max-age=1'], ['etag', etag], ['content-length', String(text.length)]] as HeaderList },
  age: undefined,
  body: new TextEncoder().encode(text),
  originFetchedAt: now,
  result: 'miss',
});

describe('SimCacheNode', () => {
  it('fetches the object whole when a validation is answered by a 304 for another representation, as the tiers do (RFC 9111 §4.3.4)', () => {
    const { scheduler, asked, get } = edgeWithScriptedParent([answer(200, '"v1"', 'old'), answer(304, '"v2"', ''), answer(200, '"v2"', 'new')]);
    expect(get('/r').answer?.result).toBe('miss');
    scheduler.schedule(2000, () => undefined);
    scheduler.runAll();
    const second = get('/r');
    const a = second.answer;
    if (!a) throw new Error(`no answer: ${second.error}`);
    // Not the old body under either tag: the new one, fetched without preconditions, and stored.
    expect({ status: a.head.status, etag: getFirst(sentHead(a).headers, 'etag'), body: new TextDecoder().decode(a.body), result: a.result }).toEqual({ status: 200, etag: '"v2"', body: 'new', result: 'miss' });
    expect(asked.map((r) => getFirst(r.head.headers, 'if-none-match'))).toEqual([undefined, '"v1"', undefined]);
    expect(get('/r').answer?.result).toBe('hit');
  });
});
