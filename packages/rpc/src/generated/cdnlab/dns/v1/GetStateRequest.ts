// Original file: cdnlab/dns/v1/dns_admin.proto


export interface GetStateRequest {
}

export interface GetStateRequest__Output {
}
