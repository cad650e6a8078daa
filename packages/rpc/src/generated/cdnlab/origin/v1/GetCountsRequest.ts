// Original file: cdnlab/origin/v1/origin.proto


export interface GetCountsRequest {
}

export interface GetCountsRequest__Output {
}
