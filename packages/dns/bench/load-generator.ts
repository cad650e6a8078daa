import * as dgram from 'node:dgram';
import * as dnsPacket from 'dns-packet';

// The UDP load generator, run as its own process (bench/qps.ts forks it) so
// the server under test keeps its core. Keeps `window` queries outstanding,
// stops at `count` answers or `durationMs`, whichever comes first; a query
// unanswered for 500 ms counts as lost and is replaced.

export interface LoadJob {
  port: number;
  count: number;
  durationMs: number;
  window: number;
  subnets: string[];
  name: string;
}

export interface LoadResult {
  received: number;
  lost: number;
  elapsedMs: number;
  qps: number;
}

function queries(job: LoadJob): Buffer[] {
  return job.subnets.map((subnet) => {
    const [ip, len] = subnet.split('/');
    const prefix = Number(len);
    const ecs = Buffer.from([0, 1, prefix, 0, ...ip.split('.').map(Number).slice(0, Math.ceil(prefix / 8))]);
    return dnsPacket.encode({
      id: 0,
      type: 'query',
      flags: dnsPacket.RECURSION_DESIRED,
      questions: [{ name: job.name, type: 'A', class: 'IN' }],
      additionals: [{ name: '.', type: 'OPT', udpPayloadSize: 1232, options: [{ code: 8, data: ecs }] } as unknown as dnsPacket.Answer],
    });
  });
}

export function runLoad(job: LoadJob): Promise<LoadResult> {
  const templates = queries(job);
  const socket = dgram.createSocket({ type: 'udp4', recvBufferSize: 4 << 20, sendBufferSize: 4 << 20 });
  const sentAt = new Map<number, number>();
  let nextId = 0;
  let received = 0;
  let lost = 0;
  let issued = 0;
  const started = performance.now();
  return new Promise((resolve) => {
    let finished = false;
    const finish = () => {
      if (finished) return;
      finished = true;
      clearInterval(sweeper);
      clearTimeout(deadline);
      socket.close();
      const elapsedMs = performance.now() - started;
      resolve({ received, lost, elapsedMs, qps: (received / elapsedMs) * 1000 });
    };
    const send = () => {
      if (issued >= job.count) return;
      issued++;
      // 16-bit ids; the window is far below 65536 so an id is never reused while outstanding.
      const id = nextId;
      nextId = (nextId + 1) & 0xffff;
      const q = templates[id % templates.length];
      const buf = Buffer.from(q);
      buf.writeUInt16BE(id, 0);
      sentAt.set(id, performance.now());
      socket.send(buf, job.port, '127.0.0.1');
    };
    socket.on('message', (msg) => {
      const id = msg.readUInt16BE(0);
      if (!sentAt.delete(id)) return;
      received++;
      if (received + lost >= job.count) finish();
      else send();
    });
    const sweeper = setInterval(() => {
      const now = performance.now();
      for (const [id, at] of sentAt) {
        if (now - at < 500) continue;
        sentAt.delete(id);
        lost++;
        send();
      }
      if (received + lost >= job.count) finish();
    }, 100);
    const deadline = setTimeout(finish, job.durationMs);
    socket.bind(0, '127.0.0.1', () => {
      for (let i = 0; i < job.window; i++) send();
    });
  });
}

// As a forked child: take one job per message, answer with the result.
if (process.send) {
  process.on('message', (job: LoadJob) => {
    void runLoad(job).then((result) => process.send?.(result));
  });
}
