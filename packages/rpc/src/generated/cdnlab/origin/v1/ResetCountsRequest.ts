// Original file: cdnlab/origin/v1/origin.proto


export interface ResetCountsRequest {
}

export interface ResetCountsRequest__Output {
}
