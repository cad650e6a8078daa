import { readFileSync } from 'node:fs';
import { ConfigError } from './config';
import { startControl } from './control-service';
import { TOKEN_LINE_PREFIX } from './main-token-line';

// Entrypoint: `tsx packages/control/src/main.ts --config control.json`, or
// the config in CDNLAB_CONFIG (a file path, or the JSON itself when it starts
// with "{"). stdout gets one JSON "ready" line and, when no token was
// configured, the one line that shows the generated admin token. Logs go to
// stderr. Exit 2: bad configuration (the message names the field).

const USAGE = `usage: cdnlab-control --config <control.json>   (or set CDNLAB_CONFIG to a path or to inline JSON)

The control plane: purge (url, tag, prefix, all; hard or soft; direct or tree
fan-out), per-node stats, topology and a live event stream, over gRPC and HTTP.
Admin calls need "Authorization: Bearer <token>".`;

class UsageError extends Error {}

function configSource(argv: readonly string[]): string {
  if (argv.includes('--help') || argv.includes('-h')) {
    process.stdout.write(`${USAGE}\n`);
    process.exit(0);
  }
  const at = argv.indexOf('--config');
  if (at >= 0) {
    const value = argv[at + 1];
    if (value === undefined || value.startsWith('--')) throw new UsageError('--config needs a file path');
    return value;
  }
  const unknown = argv.find((a) => a.startsWith('-'));
  if (unknown) throw new UsageError(`unknown option ${unknown}`);
  const env = process.env.CDNLAB_CONFIG;
  if (env === undefined || env === '') throw new UsageError('no config given');
  return env;
}

function readConfig(source: string): unknown {
  const inline = source.trimStart().startsWith('{');
  let text: string;
  try {
    text = inline ? source : readFileSync(source, 'utf8');
  } catch (err) {
    throw new ConfigError('(config)', `cannot read ${source}: ${(err as Error).message}`);
  }
  try {
    return JSON.parse(text);
  } catch (err) {
    throw new ConfigError('(config)', `${inline ? 'CDNLAB_CONFIG' : source} is not valid JSON: ${(err as Error).message}`);
  }
}

async function main(): Promise<void> {
  const control = await startControl(readConfig(configSource(process.argv.slice(2))));
  let stopping = false;
  const shutdown = (): void => {
    if (stopping) return;
    stopping = true;
    // A last resort if a socket refuses to close within the grace period.
    setTimeout(() => process.exit(1), control.config.shutdownGraceMs + 2_000).unref();
    control.stop().then(
      () => process.exit(0),
      () => process.exit(1),
    );
  };
  process.on('SIGTERM', shutdown);
  process.on('SIGINT', shutdown);
  // Announced only now: whoever reads the ready line may stop us at once,
  // and a SIGTERM before the handlers above would kill the process unclean.
  process.stdout.write(`${JSON.stringify({ ready: true, grpcPort: control.grpcPort, httpPort: control.httpPort, tokenGenerated: control.tokenGenerated })}\n`);
  // The one place the token is shown: the operator (or the launcher) needs it.
  if (control.tokenGenerated) process.stdout.write(`${TOKEN_LINE_PREFIX}${control.token}\n`);
}

main().catch((err: unknown) => {
  const message = err instanceof Error ? err.message : String(err);
  process.stderr.write(`cdnlab-control: ${message}\n`);
  if (err instanceof UsageError) process.stderr.write(`${USAGE}\n`);
  process.exit(err instanceof ConfigError || err instanceof UsageError ? 2 : 1);
});
