/**
 * The shared entrypoint of the cache-tier processes (edge, regional, shield):
 * read the config, start, say so on one line, stop cleanly on SIGTERM/SIGINT.
 * A bad config exits 2 naming the field; a failure to start exits 1.
 */
import { readFileSync } from 'node:fs';
import pino from 'pino';
import { NodeConfigError, parseTierNodeConfig, type TierNodeConfig } from './node-config';
import { startTierNode, type RunningTierNode } from './tier-node';

export interface Addon {
  /** Extra facts for the ready line (e.g. the edge's HTTP port). */
  ready: Record<string, unknown>;
  stop(): Promise<void>;
}

/** Reads the config from `--config <file>` or CDNLAB_CONFIG (a path, or JSON text). */
export function readConfigText(argv: string[], env: NodeJS.ProcessEnv): string {
  const i = argv.indexOf('--config');
  if (i !== -1) {
    const file = argv[i + 1];
    if (!file) throw new NodeConfigError('--config', 'expected a file path after --config');
    return readFileSync(file, 'utf8');
  }
  const fromEnv = env.CDNLAB_CONFIG;
  if (!fromEnv) throw new NodeConfigError('config', 'no config: pass --config <file.json> or set CDNLAB_CONFIG');
  return fromEnv.trimStart().startsWith('{') ? fromEnv : readFileSync(fromEnv, 'utf8');
}

export async function runTierMain(role: TierNodeConfig['role'], addon?: (running: RunningTierNode) => Promise<Addon>): Promise<void> {
  const logger = pino({ name: `cdnlab-${role}` });
  let cfg: TierNodeConfig;
  try {
    cfg = parseTierNodeConfig(readConfigText(process.argv.slice(2), process.env));
    if (cfg.role !== role) throw new NodeConfigError('config.role', `this is the ${role} entrypoint, but the config is for a ${cfg.role}`);
  } catch (err) {
    process.stderr.write(`cdnlab-${role}: bad config: ${(err as Error).message}\n`);
    process.exit(2);
  }
  let running: RunningTierNode;
  let extra: Addon | undefined;
  try {
    running = await startTierNode(cfg, { defaultMetrics: true });
    extra = addon ? await addon(running) : undefined;
  } catch (err) {
    logger.error({ err }, `${role} failed to start`);
    process.exit(1);
  }
  running.rpc.setServing(true);
  let stopping = false;
  const stop = (signal: string): void => {
    if (stopping) return;
    stopping = true;
    logger.info({ signal }, `${role} stopping`);
    running.rpc.setServing(false);
    Promise.all([extra?.stop(), running.stop()])
      .then(() => process.exit(0))
      .catch((err) => {
        logger.error({ err }, `${role} stop failed`);
        process.exit(1);
      });
  };
  process.on('SIGTERM', () => stop('SIGTERM'));
  process.on('SIGINT', () => stop('SIGINT'));
  // After the handlers: whoever reads this line may send SIGTERM at once.
  logger.info({ node: cfg.id, region: cfg.region, grpcPort: running.grpcPort, metricsPort: running.metricsPort, ...extra?.ready }, `${role} ready`);
}
