import { readFileSync } from 'node:fs';
import pino from 'pino';
import { createDnsServer } from './server';

// Entrypoint, configured like every other cdnlab service: `--config <file>`
// or CDNLAB_CONFIG (a file path, or the JSON itself when it starts with "{");
// a bare path argument and CDNLAB_DNS_CONFIG work too. Prints one JSON line
// with the bound ports, stops cleanly on SIGTERM.

const USAGE = `usage: cdnlab-dns --config <config.json>   (or set CDNLAB_CONFIG to a path or to inline JSON)

Authoritative GSLB DNS for the CDN zone, over UDP and TCP on one port.
Policies: geo, weighted, least-loaded, latency, round-robin.
With "anycast" in the config it also runs the anycast TOY router: one virtual
address forwarding each TCP connection to the lowest-cost edge for the client's
region - a teaching model of BGP anycast (knows distance, not load), not a real one.`;

function loadConfig(): unknown {
  const args = process.argv.slice(2);
  if (args[0] === '--help' || args[0] === '-h') {
    process.stdout.write(`${USAGE}\n`);
    process.exit(0);
  }
  const flag = args.indexOf('--config');
  const arg = flag !== -1 ? args[flag + 1] : args[0];
  const source = arg ?? process.env.CDNLAB_CONFIG ?? process.env.CDNLAB_DNS_CONFIG;
  if (!source) throw new Error(`no config given\n${USAGE}`);
  const text = source.trimStart().startsWith('{') ? source : readFileSync(source, 'utf8');
  try {
    return JSON.parse(text);
  } catch (err) {
    throw new Error(`config ${source.startsWith('{') ? '(inline)' : source} is not valid JSON: ${(err as Error).message}`);
  }
}

async function main(): Promise<void> {
  const logger = pino({ name: 'cdnlab-dns' });
  const server = createDnsServer(loadConfig() as Parameters<typeof createDnsServer>[0], { logger });
  const ports = await server.start();
  let stopping = false;
  const shutdown = (signal: string) => {
    if (stopping) return;
    stopping = true;
    logger.info({ signal }, 'stopping');
    // Grace timer: if a socket refuses to close, leave anyway.
    setTimeout(() => process.exit(1), 5000).unref();
    server.stop().then(
      () => process.exit(0),
      (err: unknown) => {
        logger.error({ err }, 'stop failed');
        process.exit(1);
      },
    );
  };
  process.on('SIGTERM', () => shutdown('SIGTERM'));
  process.on('SIGINT', () => shutdown('SIGINT'));
  // After the handlers: whoever reads this line may send SIGTERM at once.
  process.stdout.write(`${JSON.stringify({ ready: true, ...ports })}\n`);
}

main().catch((err: unknown) => {
  process.stderr.write(`cdnlab-dns: ${err instanceof Error ? err.message : String(err)}\n`);
  process.exit(1);
});
