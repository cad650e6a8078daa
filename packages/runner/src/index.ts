// Runs scenarios: the embedded engine on loopback, reports with charts, and the run/list/explain commands.
export { createEmbeddedEngine, pickPrefix, type EmbeddedEngineOptions } from './engine-embedded';
export { compareEngines, type CompareOptions, type CompareResult } from './compare';
export { compareRuns, allowedDifference, formatAgreementTable, formatAgreementMarkdown, AGREEMENT_TOLERANCES, type AgreementFigure, type Tolerance } from './agreement';
export { runScenario, jsonSummary, RunError, type RunScenarioOptions, type RunScenarioResult } from './run';
export { registerRunnerCommands, ENGINES } from './cli-commands';
export { explainScenario, topologyChanges } from './explain';
export { attachToRun } from './attach-target';
export { renderCharts, type Chart } from './report-charts';
export { writeReport, reportMarkdown, reportHtml, toJson, type ReportInput } from './report-files';
export { summaryRows, formatSummaryTable, formatSummaryMarkdown, type SummaryRow } from './summary';
export { createStubResolver, queryA, DnsLookupError, type StubResolver, type StubResolverOptions } from './stub-resolver';
export { edgeResultOf, resultOfMember, servedByEdge, EDGE_RESULTS, type EdgeResult } from './edge-outcome';
export { clientAddresses, cidrHosts, classifyError } from './client-pool';
export { VersionClock } from './timeline-embedded';
export { planReconfigure, applyReconfigure, cacheSettingsRequest, ReconfigureError, type RuntimeChange, type StructuralDifference, type ReconfigurePlan, type ReconfigureReport, type LinkValues } from './reconfigure';
export { createClusterAdmin, type ClusterAdmin, type AdminTargets } from './cluster-admin';
export { describeEmulatedCut, linkHops, loopbackCutRefusal, setEmulatedCut, type LinkHops } from './timeline-embedded';
