// Original file: cdnlab/tier/v1/tier_admin.proto


export interface SetLinksRequest {
  /**
   * Parents (or fallbacks) whose link changes; empty means every one.
   */
  'parentIds'?: (string)[];
  'latencyMs'?: (number | string);
  'jitterMs'?: (number | string);
  'loss'?: (number | string);
  'down'?: (boolean);
  'cut'?: (boolean);
  '_latencyMs'?: "latencyMs";
  '_jitterMs'?: "jitterMs";
  '_loss'?: "loss";
  '_down'?: "down";
  '_cut'?: "cut";
}

export interface SetLinksRequest__Output {
  /**
   * Parents (or fallbacks) whose link changes; empty means every one.
   */
  'parentIds': (string)[];
  'latencyMs'?: (number);
  'jitterMs'?: (number);
  'loss'?: (number);
  'down'?: (boolean);
  'cut'?: (boolean);
  '_latencyMs'?: "latencyMs";
  '_jitterMs'?: "jitterMs";
  '_loss'?: "loss";
  '_down'?: "down";
  '_cut'?: "cut";
}
