export * from './loader';
export * from './errors';
export * from './server';
export * from './client';
export * from './fetch-stream';
export * from './interceptors-link';
export * from './interceptors-auth';

// Generated message and service types most callers need, by their proto names.
export type { Header, Header__Output } from './generated/cdnlab/tier/v1/Header';
export type { FetchRequest, FetchRequest__Output } from './generated/cdnlab/tier/v1/FetchRequest';
export type { FetchReply, FetchReply__Output } from './generated/cdnlab/tier/v1/FetchReply';
export type { ResponseHead, ResponseHead__Output } from './generated/cdnlab/tier/v1/ResponseHead';
export { PurgeKind, type PurgeKind__Output } from './generated/cdnlab/tier/v1/PurgeKind';
export { PurgeMode, type PurgeMode__Output } from './generated/cdnlab/tier/v1/PurgeMode';
export type { PurgeRoute, PurgeRoute__Output } from './generated/cdnlab/tier/v1/PurgeRoute';
export type { PurgeRequest, PurgeRequest__Output } from './generated/cdnlab/tier/v1/PurgeRequest';
export type { PurgeReply, PurgeReply__Output } from './generated/cdnlab/tier/v1/PurgeReply';
export type { PurgeAck, PurgeAck__Output } from './generated/cdnlab/tier/v1/PurgeAck';
export type { StatsRequest, StatsRequest__Output } from './generated/cdnlab/tier/v1/StatsRequest';
export type { StatsReply, StatsReply__Output } from './generated/cdnlab/tier/v1/StatsReply';
export type { Counters, Counters__Output } from './generated/cdnlab/tier/v1/Counters';
export type { TierClient, TierHandlers, TierDefinition } from './generated/cdnlab/tier/v1/Tier';

export type { GetStateRequest, GetStateRequest__Output } from './generated/cdnlab/tier/v1/GetStateRequest';
export type { LinkState, LinkState__Output } from './generated/cdnlab/tier/v1/LinkState';
export type { SetLinksRequest, SetLinksRequest__Output } from './generated/cdnlab/tier/v1/SetLinksRequest';
export type { TtlOverride, TtlOverride__Output } from './generated/cdnlab/tier/v1/TtlOverride';
export type { CacheSettings, CacheSettings__Output } from './generated/cdnlab/tier/v1/CacheSettings';
export type { SetCacheSettingsRequest, SetCacheSettingsRequest__Output } from './generated/cdnlab/tier/v1/SetCacheSettingsRequest';
export type { TierState, TierState__Output } from './generated/cdnlab/tier/v1/TierState';
export type { ClearCacheRequest, ClearCacheRequest__Output } from './generated/cdnlab/tier/v1/ClearCacheRequest';
export type { ClearCacheReply, ClearCacheReply__Output } from './generated/cdnlab/tier/v1/ClearCacheReply';
export type { TierAdminClient, TierAdminHandlers, TierAdminDefinition } from './generated/cdnlab/tier/v1/TierAdmin';

export type { GetStateRequest as DnsGetStateRequest, GetStateRequest__Output as DnsGetStateRequest__Output } from './generated/cdnlab/dns/v1/GetStateRequest';
export type { EdgeWeight, EdgeWeight__Output } from './generated/cdnlab/dns/v1/EdgeWeight';
export type { RegionEdgeValue, RegionEdgeValue__Output } from './generated/cdnlab/dns/v1/RegionEdgeValue';
export type { SetPolicyRequest, SetPolicyRequest__Output } from './generated/cdnlab/dns/v1/SetPolicyRequest';
export type { DnsState, DnsState__Output } from './generated/cdnlab/dns/v1/DnsState';
export type { SetRouteCostsRequest, SetRouteCostsRequest__Output } from './generated/cdnlab/dns/v1/SetRouteCostsRequest';
export type { SetRouteCostsReply, SetRouteCostsReply__Output } from './generated/cdnlab/dns/v1/SetRouteCostsReply';
export type { DnsAdminClient, DnsAdminHandlers, DnsAdminDefinition } from './generated/cdnlab/dns/v1/DnsAdmin';

export { Fault, type Fault__Output } from './generated/cdnlab/origin/v1/Fault';
export type { SetVersionRequest, SetVersionRequest__Output } from './generated/cdnlab/origin/v1/SetVersionRequest';
export type { SetVersionReply, SetVersionReply__Output } from './generated/cdnlab/origin/v1/SetVersionReply';
export type { SetFaultRequest, SetFaultRequest__Output } from './generated/cdnlab/origin/v1/SetFaultRequest';
export type { SetFaultReply, SetFaultReply__Output } from './generated/cdnlab/origin/v1/SetFaultReply';
export type { GetCountsRequest, GetCountsRequest__Output } from './generated/cdnlab/origin/v1/GetCountsRequest';
export type { GetCountsReply, GetCountsReply__Output } from './generated/cdnlab/origin/v1/GetCountsReply';
export type { PathCount, PathCount__Output } from './generated/cdnlab/origin/v1/PathCount';
export type { ResetCountsRequest, ResetCountsRequest__Output } from './generated/cdnlab/origin/v1/ResetCountsRequest';
export type { ResetCountsReply, ResetCountsReply__Output } from './generated/cdnlab/origin/v1/ResetCountsReply';
export type { OriginAdminClient, OriginAdminHandlers, OriginAdminDefinition } from './generated/cdnlab/origin/v1/OriginAdmin';

export { Fanout, type Fanout__Output } from './generated/cdnlab/control/v1/Fanout';
export type { PurgeCommand, PurgeCommand__Output } from './generated/cdnlab/control/v1/PurgeCommand';
export type { PurgeReport, PurgeReport__Output } from './generated/cdnlab/control/v1/PurgeReport';
export type { NodeAck, NodeAck__Output } from './generated/cdnlab/control/v1/NodeAck';
export type { StatsRequest as ControlStatsRequest, StatsRequest__Output as ControlStatsRequest__Output } from './generated/cdnlab/control/v1/StatsRequest';
export type { StatsReport, StatsReport__Output } from './generated/cdnlab/control/v1/StatsReport';
export type { TopologyRequest, TopologyRequest__Output } from './generated/cdnlab/control/v1/TopologyRequest';
export type { TopologyReply, TopologyReply__Output } from './generated/cdnlab/control/v1/TopologyReply';
export type { Node, Node__Output } from './generated/cdnlab/control/v1/Node';
export type { EventsRequest, EventsRequest__Output } from './generated/cdnlab/control/v1/EventsRequest';
export type { Event, Event__Output } from './generated/cdnlab/control/v1/Event';
export type { ControlClient, ControlHandlers, ControlDefinition } from './generated/cdnlab/control/v1/Control';
export { cacheSettingsMessage } from './cache-settings';
