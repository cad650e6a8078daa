import * as http from 'node:http';
import * as grpc from '@grpc/grpc-js';
import { CdnError, callOptions, unaryCall, type GetCountsReply__Output, type TierClient } from '@cdnlab/rpc';
import { startOrigin, type RunningOrigin } from '../src/origin-service';
import { Clients, TOKEN, close, fetchRequest, fetchVia, httpRequest, listen } from './support';

// Proxy mode against a small real app: what goes up and what comes back must
// be the app's own bytes and fields, repeats and order included.

interface Seen {
  method: string;
  url: string;
  rawHeaders: string[];
  body: string;
}

const seen: Seen[] = [];
const app = http.createServer((req, res) => {
  const chunks: Buffer[] = [];
  req.on('data', (c: Buffer) => chunks.push(c));
  req.on('end', () => {
    const body = Buffer.concat(chunks).toString();
    seen.push({ method: req.method!, url: req.url!, rawHeaders: req.rawHeaders, body });
    if (req.url === '/never') return; // never answers: the origin's upstream timeout must fire
    if (req.url === '/stream') {
      // No content-length: chunked on the wire, streamed through.
      res.writeHead(200, ['Content-Type', 'application/octet-stream']);
      let n = 0;
      const tick = (): void => {
        if (n++ === 5) {
          res.end();
          return;
        }
        res.write(Buffer.alloc(40_000, 0x41 + n));
        setImmediate(tick);
      };
      tick();
      return;
    }
    if (req.url === '/not-modified') {
      res.writeHead(304, ['ETag', '"e1"', 'Cache-Control', 'max-age=5']);
      res.end();
      return;
    }
    const answer = Buffer.from(`app saw ${req.method} ${req.url} body=${body}`);
    res.writeHead(201, [
      'Set-Cookie', 'a=1; Path=/',
      'X-App', 'first',
      'Set-Cookie', 'b=2; HttpOnly',
      'Cache-Control', 'no-store',
      'Content-Length', String(answer.length),
    ]);
    res.end(answer);
  });
});

const clients = new Clients();
let appPort: number;
let origin: RunningOrigin;
let tier: TierClient;

beforeAll(async () => {
  appPort = await listen(app);
  origin = await startOrigin({
    id: 'origin-proxy',
    region: 'eu',
    grpc: { host: '127.0.0.1', port: 0 },
    http: { host: '127.0.0.1', port: 0 },
    upstream: `http://127.0.0.1:${appPort}`,
    upstreamTimeoutMs: 300,
    token: TOKEN,
  });
  tier = clients.tier(origin.grpcPort);
});
afterAll(async () => {
  clients.close();
  await origin.stop(500);
  await close(app);
});

const pairs = (raw: string[]): Array<[string, string]> => {
  const out: Array<[string, string]> = [];
  for (let i = 0; i < raw.length; i += 2) out.push([raw[i].toLowerCase(), raw[i + 1]]);
  return out;
};

describe('proxy mode over gRPC Fetch', () => {
  it('forwards method, target, end-to-end headers in order and the body; returns the answer unchanged', async () => {
    const { head, body } = await fetchVia(tier, fetchRequest('/api/items?x=1', {
      method: 'POST',
      authority: 'cdn.cdnlab.test',
      headers: [
        { name: 'host', value: 'cdn.cdnlab.test' },
        { name: 'x-multi', value: 'one' },
        { name: 'Connection', value: 'x-hop' },
        { name: 'x-hop', value: 'must not pass' },
        { name: 'x-multi', value: 'two' },
        { name: 'transfer-encoding', value: 'chunked' },
        { name: 'content-type', value: 'application/json' },
      ],
      body: Buffer.from('{"n":1}'),
    }));
    const up = seen.at(-1)!;
    expect(up.method).toBe('POST');
    expect(up.url).toBe('/api/items?x=1');
    expect(up.body).toBe('{"n":1}');
    const sent = pairs(up.rawHeaders);
    expect(sent.filter(([n]) => n === 'x-multi').map(([, v]) => v)).toEqual(['one', 'two']);
    expect(sent.find(([n]) => n === 'host')?.[1]).toBe(`127.0.0.1:${appPort}`);
    expect(sent.find(([n]) => n === 'content-length')?.[1]).toBe('7');
    expect(sent.some(([n]) => n === 'x-hop' || n === 'transfer-encoding')).toBe(false);

    expect(head.status).toBe(201);
    expect(head.servedBy).toBe('origin-proxy');
    const got = head.headers.map((h) => [h.name, h.value]).filter(([n]) => n !== 'date' && n !== 'connection' && n !== 'keep-alive');
    expect(got).toEqual([
      ['set-cookie', 'a=1; Path=/'],
      ['x-app', 'first'],
      ['set-cookie', 'b=2; HttpOnly'],
      ['cache-control', 'no-store'],
      ['content-length', String(body.length)],
    ]);
    expect(body.toString()).toBe('app saw POST /api/items?x=1 body={"n":1}');
    expect(origin.counters.get('/api/items')?.byKind).toEqual({ post: 1 });
  });

  it('streams a chunked answer through in order', async () => {
    const { head, body } = await fetchVia(tier, fetchRequest('/stream'));
    expect(head.status).toBe(200);
    expect(head.headers.some((h) => h.name === 'transfer-encoding')).toBe(false);
    expect(body.length).toBe(200_000);
    expect([body[0], body[40_000], body[199_999]]).toEqual([0x42, 0x43, 0x46]);
  });

  it('relays 304 and counts it as not-modified', async () => {
    const { head } = await fetchVia(tier, fetchRequest('/not-modified', { headers: [{ name: 'if-none-match', value: '"e1"' }] }));
    expect(head.status).toBe(304);
    expect(origin.counters.get('/not-modified')?.byKind).toEqual({ conditional: 1, 'not-modified': 1 });
  });

  it('a silent upstream ends with UPSTREAM_TIMEOUT after upstreamTimeoutMs', async () => {
    const t0 = Date.now();
    const e = await fetchVia(tier, fetchRequest('/never'), 5_000).catch((x: unknown) => x as CdnError);
    expect(e).toBeInstanceOf(CdnError);
    expect((e as CdnError).code).toBe('UPSTREAM_TIMEOUT');
    expect(Date.now() - t0).toBeGreaterThanOrEqual(290);
    expect(Date.now() - t0).toBeLessThan(4_000);
  });

  it('keeps the client Host when preserveHost is set', async () => {
    const o = await startOrigin({
      id: 'origin-preserve', region: 'eu', grpc: { host: '127.0.0.1', port: 0 },
      upstream: `http://127.0.0.1:${appPort}`, preserveHost: true, token: TOKEN,
    });
    try {
      await fetchVia(clients.tier(o.grpcPort), fetchRequest('/h', { authority: 'www.example.test' }));
      expect(pairs(seen.at(-1)!.rawHeaders).find(([n]) => n === 'host')?.[1]).toBe('www.example.test');
    } finally {
      await o.stop(500);
    }
  });
});

describe('proxy mode admin', () => {
  it('refuses SetVersion (the upstream owns its content) but still counts', async () => {
    const admin = clients.admin(origin.grpcPort, TOKEN);
    const e = await unaryCall((cb) => admin.SetVersion({ all: true, version: 2 }, callOptions(2_000), cb)).catch((x: unknown) => x as CdnError);
    expect((e as CdnError).code).toBe('BAD_REQUEST');
    expect((e as CdnError).message).toContain('synthetic site');
    const counts = await unaryCall<GetCountsReply__Output>((cb) => admin.GetCounts({}, callOptions(2_000), cb));
    expect(counts.total).toBe(origin.counters.total);
    expect(counts.total).toBeGreaterThan(0);
  });

  it('refuses SetSite with UNIMPLEMENTED (NOT_SUPPORTED) saying why; Reset still clears faults', async () => {
    const admin = clients.admin(origin.grpcPort, TOKEN);
    const status = await new Promise<grpc.ServiceError | null>((resolve) => {
      admin.SetSite({ siteJson: JSON.stringify({ paths: [{ match: '/**' }] }) }, callOptions(2_000), (err) => resolve(err));
    });
    expect(status?.code).toBe(grpc.status.UNIMPLEMENTED);
    expect(status?.details).toContain('proxy mode');
    expect(origin.site).toBeUndefined();
    origin.setFault({ kind: 'down' }, '/x');
    const reply = await unaryCall<{ faultsCleared: number }>((cb) => admin.Reset({}, callOptions(2_000), cb));
    expect(reply.faultsCleared).toBe(1);
    expect(origin.faults.entries).toEqual([]);
  });
});

describe('proxy mode over plain HTTP', () => {
  it('round-trips a POST body and repeated Set-Cookie fields unchanged', async () => {
    const r = await httpRequest(origin.httpPort!, 'POST', '/form', ['Host', 'origin.test', 'Content-Type', 'text/plain', 'X-Multi', 'a', 'X-Multi', 'b'], Buffer.from('payload'));
    expect(r.status).toBe(201);
    expect(pairs(r.rawHeaders).filter(([n]) => n === 'set-cookie').map(([, v]) => v)).toEqual(['a=1; Path=/', 'b=2; HttpOnly']);
    expect(r.body.toString()).toBe('app saw POST /form body=payload');
    expect(pairs(seen.at(-1)!.rawHeaders).filter(([n]) => n === 'x-multi').map(([, v]) => v)).toEqual(['a', 'b']);
  });
});

describe('upstream down', () => {
  it('answers UPSTREAM_UNAVAILABLE (gRPC) and 502 (HTTP), counting the attempts', async () => {
    // A port that was just free: nothing listens there.
    const dead = http.createServer();
    const deadPort = await listen(dead);
    await close(dead);
    const o = await startOrigin({
      id: 'origin-dead-upstream', region: 'eu', grpc: { host: '127.0.0.1', port: 0 }, http: { host: '127.0.0.1', port: 0 },
      upstream: `http://127.0.0.1:${deadPort}`, token: TOKEN,
    });
    try {
      const e = await fetchVia(clients.tier(o.grpcPort), fetchRequest('/x')).catch((x: unknown) => x as CdnError);
      expect(e).toBeInstanceOf(CdnError);
      expect((e as CdnError).code).toBe('UPSTREAM_UNAVAILABLE');
      const r = await httpRequest(o.httpPort!, 'GET', '/x');
      expect(r.status).toBe(502);
      expect(o.counters.get('/x')?.total).toBe(2);
    } finally {
      await o.stop(500);
    }
  });
});
