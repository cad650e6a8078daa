// Plans a topology onto loopback addresses and runs every node as its own OS process.
export {
  planTopology,
  startStages,
  listeners,
  formatEndpoint,
  generateToken,
  runKey,
  PlanError,
  START_ORDER,
  DEFAULT_PREFIX,
  DEFAULT_BASE_PORT,
  LOOPBACK_PORTS,
  type Addressing,
  type PlanAddressing,
  type Endpoint,
  type NodeRole,
  type PlanOptions,
  type PlannedNode,
  type PlannedTier,
  type PlannedOrigin,
  type PlannedControl,
  type PlannedDns,
  type TopologyPlan,
} from './plan';
export {
  startTopology,
  defaultRunDir,
  defaultStateFile,
  logTail,
  StartError,
  DEFAULT_HEALTH_TIMEOUT_MS,
  type RunningTopology,
  type RunningNode,
  type RunningState,
  type StartOptions,
  type StartProgress,
} from './run';
export { readState, writeState, updateState, selectRun, StateError, type StateFile, type RunState, type NodeState } from './state-file';
export { isAlive, isOurs, signal, terminate } from './processes';
export { grpcServing, dnsAnswers, probeFor } from './readiness';
export { simThreadBundle } from './sim-thread-bundle';
export { REPO_ROOT, DEFAULT_TOPOLOGY, ENTRYPOINTS, cdnlabHome, configArgs, tsxLoaderUrl } from './paths';
export { stopRun, spawnDetached, nodeReady, type StopRunResult } from './run-state-ops';
// Compose mode: a topology as a compose file, the same cluster seen from inside its network, faults through the Docker Engine API.
export {
  composeFor,
  composePortsFor,
  composePlan,
  composeLayout,
  ComposeError,
  DEFAULT_SUBNET,
  DEFAULT_COMPOSE_TOKEN,
  COMPOSE_DNS_PORT,
  NODE_LABEL,
  ROLE_LABEL,
  type ComposeOptions,
  type ComposePortsOptions,
  type ComposeLayout,
} from './compose-file';
export {
  dockerChaos,
  dockerNodeStatus,
  findNodeContainers,
  isDockerChaosAction,
  DockerChaosError,
  DOCKER_CHAOS_ACTIONS,
  COMPOSE_PROJECT_LABEL,
  COMPOSE_SERVICE_LABEL,
  type DockerChaosAction,
  type DockerChaosOptions,
  type DockerChaosResult,
  type DockerLike,
  type DockerNodeStatus,
} from './compose-chaos';
