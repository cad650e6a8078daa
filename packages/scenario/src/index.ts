// Topology and scenario files: schemas, loaders, and the loaded types.
export { FileError, FileErrors, formatPath, type DocPath } from './errors';
export { parseDuration, parseSize, formatDuration, formatSize, UnitError, DURATION_RE, SIZE_RE } from './units';
export { parseYaml, createLocator, prefixLocator, type Locator, type Position, type ParsedYaml } from './source-map';
export { mergeLayers, type Layer } from './deep-merge';
export {
  parseExpectation,
  compare,
  matchesLabels,
  formatExpectation,
  ExpressionError,
  COMPARISONS,
  type Expectation,
  type Comparison,
  type LabelMatcher,
} from './expectation-expr';
export { parseSelector, matches as selectorMatches, type Selector, type Endpoint } from './link-selector';
export * from './topology';
export * from './scenario';
export {
  TopologySchema,
  CACHE_ROLES,
  ROLES,
  ROLE_RANK,
  EVICTION_POLICIES,
  COLLAPSE_MODES,
  DNS_POLICIES,
  DEFAULT_ZONE,
  type TopologyFile,
  type CacheRole,
  type Role,
} from './schema-topology';
export { ScenarioSchema, buildScenarioSchema, type ScenarioFile } from './schema-scenario';
export { loadTopologyFile, parseTopology, normaliseTopology, listNames, displayName, KM_PER_MS } from './load-topology';
export { loadScenarioFile, parseScenario, CUTTABLE_ON_LOOPBACK, type LoadScenarioOptions, type ParseScenarioOptions } from './load-scenario';
export { schemaFiles, SCHEMAS_DIR } from './gen-schemas';
export * from './engine';
export * from './workload';
export * from './trace';
export * from './metrics';
export * from './evaluate';
export * from './watch';
export * from './latency-series';
