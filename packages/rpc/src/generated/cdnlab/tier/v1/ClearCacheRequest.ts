// Original file: cdnlab/tier/v1/tier_admin.proto


export interface ClearCacheRequest {
}

export interface ClearCacheRequest__Output {
}
