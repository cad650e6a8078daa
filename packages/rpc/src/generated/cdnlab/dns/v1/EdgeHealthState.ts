// Original file: cdnlab/dns/v1/dns_admin.proto


export interface EdgeHealthState {
  'edgeId'?: (string);
  'state'?: (string);
}

export interface EdgeHealthState__Output {
  'edgeId': (string);
  'state': (string);
}
