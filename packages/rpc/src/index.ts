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
