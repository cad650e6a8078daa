// Original file: cdnlab/origin/v1/origin.proto

import type { PathCount as _cdnlab_origin_v1_PathCount, PathCount__Output as _cdnlab_origin_v1_PathCount__Output } from '../../../cdnlab/origin/v1/PathCount';
import type { Long } from '@grpc/proto-loader';

export interface GetCountsReply {
  'paths'?: (_cdnlab_origin_v1_PathCount)[];
  'total'?: (number | string | Long);
}

export interface GetCountsReply__Output {
  'paths': (_cdnlab_origin_v1_PathCount__Output)[];
  'total': (number);
}
