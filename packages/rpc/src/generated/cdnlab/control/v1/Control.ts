// Original file: cdnlab/control/v1/control.proto

import type * as grpc from '@grpc/grpc-js'
import type { MethodDefinition } from '@grpc/proto-loader'
import type { Event as _cdnlab_control_v1_Event, Event__Output as _cdnlab_control_v1_Event__Output } from '../../../cdnlab/control/v1/Event';
import type { EventsRequest as _cdnlab_control_v1_EventsRequest, EventsRequest__Output as _cdnlab_control_v1_EventsRequest__Output } from '../../../cdnlab/control/v1/EventsRequest';
import type { PurgeCommand as _cdnlab_control_v1_PurgeCommand, PurgeCommand__Output as _cdnlab_control_v1_PurgeCommand__Output } from '../../../cdnlab/control/v1/PurgeCommand';
import type { PurgeReport as _cdnlab_control_v1_PurgeReport, PurgeReport__Output as _cdnlab_control_v1_PurgeReport__Output } from '../../../cdnlab/control/v1/PurgeReport';
import type { StatsReport as _cdnlab_control_v1_StatsReport, StatsReport__Output as _cdnlab_control_v1_StatsReport__Output } from '../../../cdnlab/control/v1/StatsReport';
import type { StatsRequest as _cdnlab_control_v1_StatsRequest, StatsRequest__Output as _cdnlab_control_v1_StatsRequest__Output } from '../../../cdnlab/control/v1/StatsRequest';
import type { TopologyReply as _cdnlab_control_v1_TopologyReply, TopologyReply__Output as _cdnlab_control_v1_TopologyReply__Output } from '../../../cdnlab/control/v1/TopologyReply';
import type { TopologyRequest as _cdnlab_control_v1_TopologyRequest, TopologyRequest__Output as _cdnlab_control_v1_TopologyRequest__Output } from '../../../cdnlab/control/v1/TopologyRequest';

export interface ControlClient extends grpc.Client {
  /**
   * Live events (purges applied, nodes up or down, faults, ...) for reports
   * and live views. The stream stays open until the caller cancels it.
   */
  Events(argument: _cdnlab_control_v1_EventsRequest, metadata: grpc.Metadata, options?: grpc.CallOptions): grpc.ClientReadableStream<_cdnlab_control_v1_Event__Output>;
  Events(argument: _cdnlab_control_v1_EventsRequest, options?: grpc.CallOptions): grpc.ClientReadableStream<_cdnlab_control_v1_Event__Output>;
  /**
   * Live events (purges applied, nodes up or down, faults, ...) for reports
   * and live views. The stream stays open until the caller cancels it.
   */
  events(argument: _cdnlab_control_v1_EventsRequest, metadata: grpc.Metadata, options?: grpc.CallOptions): grpc.ClientReadableStream<_cdnlab_control_v1_Event__Output>;
  events(argument: _cdnlab_control_v1_EventsRequest, options?: grpc.CallOptions): grpc.ClientReadableStream<_cdnlab_control_v1_Event__Output>;
  
  Purge(argument: _cdnlab_control_v1_PurgeCommand, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_cdnlab_control_v1_PurgeReport__Output>): grpc.ClientUnaryCall;
  Purge(argument: _cdnlab_control_v1_PurgeCommand, metadata: grpc.Metadata, callback: grpc.requestCallback<_cdnlab_control_v1_PurgeReport__Output>): grpc.ClientUnaryCall;
  Purge(argument: _cdnlab_control_v1_PurgeCommand, options: grpc.CallOptions, callback: grpc.requestCallback<_cdnlab_control_v1_PurgeReport__Output>): grpc.ClientUnaryCall;
  Purge(argument: _cdnlab_control_v1_PurgeCommand, callback: grpc.requestCallback<_cdnlab_control_v1_PurgeReport__Output>): grpc.ClientUnaryCall;
  purge(argument: _cdnlab_control_v1_PurgeCommand, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_cdnlab_control_v1_PurgeReport__Output>): grpc.ClientUnaryCall;
  purge(argument: _cdnlab_control_v1_PurgeCommand, metadata: grpc.Metadata, callback: grpc.requestCallback<_cdnlab_control_v1_PurgeReport__Output>): grpc.ClientUnaryCall;
  purge(argument: _cdnlab_control_v1_PurgeCommand, options: grpc.CallOptions, callback: grpc.requestCallback<_cdnlab_control_v1_PurgeReport__Output>): grpc.ClientUnaryCall;
  purge(argument: _cdnlab_control_v1_PurgeCommand, callback: grpc.requestCallback<_cdnlab_control_v1_PurgeReport__Output>): grpc.ClientUnaryCall;
  
  Stats(argument: _cdnlab_control_v1_StatsRequest, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_cdnlab_control_v1_StatsReport__Output>): grpc.ClientUnaryCall;
  Stats(argument: _cdnlab_control_v1_StatsRequest, metadata: grpc.Metadata, callback: grpc.requestCallback<_cdnlab_control_v1_StatsReport__Output>): grpc.ClientUnaryCall;
  Stats(argument: _cdnlab_control_v1_StatsRequest, options: grpc.CallOptions, callback: grpc.requestCallback<_cdnlab_control_v1_StatsReport__Output>): grpc.ClientUnaryCall;
  Stats(argument: _cdnlab_control_v1_StatsRequest, callback: grpc.requestCallback<_cdnlab_control_v1_StatsReport__Output>): grpc.ClientUnaryCall;
  stats(argument: _cdnlab_control_v1_StatsRequest, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_cdnlab_control_v1_StatsReport__Output>): grpc.ClientUnaryCall;
  stats(argument: _cdnlab_control_v1_StatsRequest, metadata: grpc.Metadata, callback: grpc.requestCallback<_cdnlab_control_v1_StatsReport__Output>): grpc.ClientUnaryCall;
  stats(argument: _cdnlab_control_v1_StatsRequest, options: grpc.CallOptions, callback: grpc.requestCallback<_cdnlab_control_v1_StatsReport__Output>): grpc.ClientUnaryCall;
  stats(argument: _cdnlab_control_v1_StatsRequest, callback: grpc.requestCallback<_cdnlab_control_v1_StatsReport__Output>): grpc.ClientUnaryCall;
  
  Topology(argument: _cdnlab_control_v1_TopologyRequest, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_cdnlab_control_v1_TopologyReply__Output>): grpc.ClientUnaryCall;
  Topology(argument: _cdnlab_control_v1_TopologyRequest, metadata: grpc.Metadata, callback: grpc.requestCallback<_cdnlab_control_v1_TopologyReply__Output>): grpc.ClientUnaryCall;
  Topology(argument: _cdnlab_control_v1_TopologyRequest, options: grpc.CallOptions, callback: grpc.requestCallback<_cdnlab_control_v1_TopologyReply__Output>): grpc.ClientUnaryCall;
  Topology(argument: _cdnlab_control_v1_TopologyRequest, callback: grpc.requestCallback<_cdnlab_control_v1_TopologyReply__Output>): grpc.ClientUnaryCall;
  topology(argument: _cdnlab_control_v1_TopologyRequest, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_cdnlab_control_v1_TopologyReply__Output>): grpc.ClientUnaryCall;
  topology(argument: _cdnlab_control_v1_TopologyRequest, metadata: grpc.Metadata, callback: grpc.requestCallback<_cdnlab_control_v1_TopologyReply__Output>): grpc.ClientUnaryCall;
  topology(argument: _cdnlab_control_v1_TopologyRequest, options: grpc.CallOptions, callback: grpc.requestCallback<_cdnlab_control_v1_TopologyReply__Output>): grpc.ClientUnaryCall;
  topology(argument: _cdnlab_control_v1_TopologyRequest, callback: grpc.requestCallback<_cdnlab_control_v1_TopologyReply__Output>): grpc.ClientUnaryCall;
  
}

export interface ControlHandlers extends grpc.UntypedServiceImplementation {
  /**
   * Live events (purges applied, nodes up or down, faults, ...) for reports
   * and live views. The stream stays open until the caller cancels it.
   */
  Events: grpc.handleServerStreamingCall<_cdnlab_control_v1_EventsRequest__Output, _cdnlab_control_v1_Event>;
  
  Purge: grpc.handleUnaryCall<_cdnlab_control_v1_PurgeCommand__Output, _cdnlab_control_v1_PurgeReport>;
  
  Stats: grpc.handleUnaryCall<_cdnlab_control_v1_StatsRequest__Output, _cdnlab_control_v1_StatsReport>;
  
  Topology: grpc.handleUnaryCall<_cdnlab_control_v1_TopologyRequest__Output, _cdnlab_control_v1_TopologyReply>;
  
}

export interface ControlDefinition extends grpc.ServiceDefinition {
  Events: MethodDefinition<_cdnlab_control_v1_EventsRequest, _cdnlab_control_v1_Event, _cdnlab_control_v1_EventsRequest__Output, _cdnlab_control_v1_Event__Output>
  Purge: MethodDefinition<_cdnlab_control_v1_PurgeCommand, _cdnlab_control_v1_PurgeReport, _cdnlab_control_v1_PurgeCommand__Output, _cdnlab_control_v1_PurgeReport__Output>
  Stats: MethodDefinition<_cdnlab_control_v1_StatsRequest, _cdnlab_control_v1_StatsReport, _cdnlab_control_v1_StatsRequest__Output, _cdnlab_control_v1_StatsReport__Output>
  Topology: MethodDefinition<_cdnlab_control_v1_TopologyRequest, _cdnlab_control_v1_TopologyReply, _cdnlab_control_v1_TopologyRequest__Output, _cdnlab_control_v1_TopologyReply__Output>
}
