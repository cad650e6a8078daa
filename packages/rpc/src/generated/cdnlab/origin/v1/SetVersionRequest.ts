// Original file: cdnlab/origin/v1/origin.proto

import type { Long } from '@grpc/proto-loader';

export interface SetVersionRequest {
  /**
   * Glob over the request path, e.g. "/img/*". Exactly one of path_pattern
   * and all must be given.
   */
  'pathPattern'?: (string);
  'all'?: (boolean);
  'version'?: (number | string | Long);
}

export interface SetVersionRequest__Output {
  /**
   * Glob over the request path, e.g. "/img/*". Exactly one of path_pattern
   * and all must be given.
   */
  'pathPattern': (string);
  'all': (boolean);
  'version': (number);
}
