// Original file: cdnlab/tier/v1/tier.proto

import type { ResponseHead as _cdnlab_tier_v1_ResponseHead, ResponseHead__Output as _cdnlab_tier_v1_ResponseHead__Output } from '../../../cdnlab/tier/v1/ResponseHead';

export interface FetchReply {
  /**
   * Always the first message of the stream, and sent only once.
   */
  'head'?: (_cdnlab_tier_v1_ResponseHead | null);
  /**
   * Body bytes, at most 64 KiB per message, in order.
   */
  'chunk'?: (Buffer | Uint8Array | string);
  'part'?: "head"|"chunk";
}

export interface FetchReply__Output {
  /**
   * Always the first message of the stream, and sent only once.
   */
  'head'?: (_cdnlab_tier_v1_ResponseHead__Output | null);
  /**
   * Body bytes, at most 64 KiB per message, in order.
   */
  'chunk'?: (Buffer);
  'part'?: "head"|"chunk";
}
