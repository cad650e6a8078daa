export { startControl, REDACTED_LOG_PATHS, type ControlHandle, type EventInput, type StartControlOptions } from './control-service';
export {
  parseControlConfig,
  ConfigError,
  DEFAULT_RPC_TIMEOUT_MS,
  DEFAULT_MAX_BODY_BYTES,
  DEFAULT_SHUTDOWN_GRACE_MS,
  type ControlConfig,
  type ListenAddress,
} from './config';
export { Topology, NODE_ROLES, CACHE_ROLES, describeTopology, type ControlNode, type NodeRole, type TopologyEntry } from './topology';
export { HOP_DEADLINE_SHARE, type FanoutStrategy, type FanoutContext, type NodeOutcome, type PurgeBase } from './fanout';
export { getFanout, fanoutNames, registerFanout } from './fanout-registry';
export { buildPurgeTree, type PurgeTree } from './fanout-tree';
export { purgeCommandFromJson, purgeCommandFromProto, PURGE_KINDS, PURGE_MODES, type PurgeCommandInput } from './purge-command';
export type { PurgeReportEntry, PurgeAckEntry } from './purge-report';
export { MAX_RECENT_PURGES } from './purge-report';
export type { NodeStatsEntry } from './node-stats';
export type { ControlEvent } from './event-hub';
export { TOKEN_LINE_PREFIX } from './main-token-line';
