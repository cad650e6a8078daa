// Original file: cdnlab/tier/v1/tier_admin.proto


export interface GetStateRequest {
}

export interface GetStateRequest__Output {
}
