// Original file: cdnlab/tier/v1/tier.proto


/**
 * One HTTP field line. Kept as a list, not a map: order and repeats matter
 * (Set-Cookie, Vary, several Cache-Control lines; RFC 9110 §5.3).
 */
export interface Header {
  'name'?: (string);
  'value'?: (string);
}

/**
 * One HTTP field line. Kept as a list, not a map: order and repeats matter
 * (Set-Cookie, Vary, several Cache-Control lines; RFC 9110 §5.3).
 */
export interface Header__Output {
  'name': (string);
  'value': (string);
}
