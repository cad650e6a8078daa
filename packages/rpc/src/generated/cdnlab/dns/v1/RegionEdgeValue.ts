// Original file: cdnlab/dns/v1/dns_admin.proto


/**
 * One cell of a region x edge table (latency in ms, or route cost).
 */
export interface RegionEdgeValue {
  'region'?: (string);
  'edgeId'?: (string);
  'value'?: (number | string);
}

/**
 * One cell of a region x edge table (latency in ms, or route cost).
 */
export interface RegionEdgeValue__Output {
  'region': (string);
  'edgeId': (string);
  'value': (number);
}
