// Original file: cdnlab/origin/v1/origin.proto

import type { Long } from '@grpc/proto-loader';

export interface PathCount {
  'path'?: (string);
  /**
   * Requests by kind: "GET", "HEAD", "POST", ..., and "conditional" for
   * requests carrying If-None-Match or If-Modified-Since.
   */
  'byKind'?: ({[key: string]: number | string | Long});
  'total'?: (number | string | Long);
}

export interface PathCount__Output {
  'path': (string);
  /**
   * Requests by kind: "GET", "HEAD", "POST", ..., and "conditional" for
   * requests carrying If-None-Match or If-Modified-Since.
   */
  'byKind': ({[key: string]: number});
  'total': (number);
}
