import { readFileSync } from 'node:fs';
import { parseArgs } from 'node:util';
import pino from 'pino';
import { OriginConfigError, parseOriginConfig, type OriginConfig } from './config';
import { startOrigin } from './origin-service';

// Entrypoint of the origin process. The config comes from `--config <file.json>`
// or the env CDNLAB_CONFIG (the JSON text itself); `--upstream <url>` turns
// any config into proxy mode. Prints one pino JSON line with the bound ports
// when ready; SIGTERM/SIGINT stop it gracefully with exit 0. A bad config
// exits 2 naming the field; any other start-up failure exits 1.

const USAGE = `usage: cdnlab-origin --config <origin.json> [--upstream http://127.0.0.1:3000]
       CDNLAB_CONFIG='{"id":"origin-1",...}' cdnlab-origin

The synthetic origin (or, with "upstream", a proxy to your own HTTP app).
It counts every request it receives: the ground truth of every experiment.`;

const EXIT_BAD_CONFIG = 2;

function configText(file: string | undefined): string {
  if (file !== undefined) {
    try {
      return readFileSync(file, 'utf8');
    } catch (error) {
      throw new OriginConfigError(`cannot read --config ${file}: ${(error as Error).message}`);
    }
  }
  const env = process.env.CDNLAB_CONFIG;
  if (env === undefined || env.trim() === '') throw new OriginConfigError(`no config given: pass --config <file.json> or set CDNLAB_CONFIG\n${USAGE}`);
  return env;
}

function loadConfig(argv: string[]): OriginConfig {
  let values: { config?: string; upstream?: string; help?: boolean };
  try {
    ({ values } = parseArgs({
      args: argv,
      options: { config: { type: 'string' }, upstream: { type: 'string' }, help: { type: 'boolean', short: 'h' } },
      strict: true,
    }));
  } catch (error) {
    throw new OriginConfigError(`${(error as Error).message}\n${USAGE}`);
  }
  if (values.help) {
    process.stdout.write(`${USAGE}\n`);
    process.exit(0);
  }
  const source = values.config ?? 'CDNLAB_CONFIG';
  let json: unknown;
  try {
    json = JSON.parse(configText(values.config));
  } catch (error) {
    if (error instanceof OriginConfigError) throw error;
    throw new OriginConfigError(`config from ${source} is not valid JSON: ${(error as Error).message}`);
  }
  if (values.upstream !== undefined && typeof json === 'object' && json !== null) {
    const { site: _site, ...rest } = json as Record<string, unknown>;
    json = { ...rest, upstream: values.upstream };
  }
  return parseOriginConfig(json);
}

async function main(): Promise<void> {
  let config: OriginConfig;
  try {
    config = loadConfig(process.argv.slice(2));
  } catch (error) {
    process.stderr.write(`cdnlab-origin: ${(error as Error).message}\n`);
    process.exit(EXIT_BAD_CONFIG);
  }
  const logger = pino({ name: 'cdnlab-origin' });
  const origin = await startOrigin(config);
  let stopping = false;
  const shutdown = (signal: string): void => {
    if (stopping) return;
    stopping = true;
    logger.info({ signal }, 'origin stopping');
    origin.stop().then(
      () => process.exit(0),
      (error: unknown) => {
        logger.error({ err: error }, 'origin stop failed');
        process.exit(1);
      },
    );
  };
  process.on('SIGTERM', () => shutdown('SIGTERM'));
  process.on('SIGINT', () => shutdown('SIGINT'));
  // After the handlers: whoever reads this line may send SIGTERM at once.
  // One line, machine-readable: the launcher reads the bound ports from it. Never the token.
  logger.info(
    {
      id: config.id,
      region: config.region,
      grpcPort: origin.grpcPort,
      httpPort: origin.httpPort,
      mode: config.upstream ? 'proxy' : 'site',
      ...(config.upstream ? { upstream: config.upstream } : { paths: config.site?.paths.length }),
    },
    'origin ready',
  );
}

main().catch((error: unknown) => {
  process.stderr.write(`cdnlab-origin: ${error instanceof Error ? error.message : String(error)}\n`);
  process.exit(1);
});
