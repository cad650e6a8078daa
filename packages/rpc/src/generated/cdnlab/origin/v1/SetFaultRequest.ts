// Original file: cdnlab/origin/v1/origin.proto

import type { Fault as _cdnlab_origin_v1_Fault, Fault__Output as _cdnlab_origin_v1_Fault__Output } from '../../../cdnlab/origin/v1/Fault';
import type { Long } from '@grpc/proto-loader';

export interface SetFaultRequest {
  'fault'?: (_cdnlab_origin_v1_Fault);
  'statusCode'?: (number);
  'delayMs'?: (number | string | Long);
  /**
   * Glob over the request path; empty means every path.
   */
  'pathPattern'?: (string);
}

export interface SetFaultRequest__Output {
  'fault': (_cdnlab_origin_v1_Fault__Output);
  'statusCode': (number);
  'delayMs': (number);
  /**
   * Glob over the request path; empty means every path.
   */
  'pathPattern': (string);
}
