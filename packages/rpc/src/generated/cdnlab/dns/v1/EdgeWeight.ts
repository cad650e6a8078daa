// Original file: cdnlab/dns/v1/dns_admin.proto


export interface EdgeWeight {
  'edgeId'?: (string);
  'weight'?: (number | string);
}

export interface EdgeWeight__Output {
  'edgeId': (string);
  'weight': (number);
}
