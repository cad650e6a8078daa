// Original file: cdnlab/origin/v1/origin.proto


export interface ResetRequest {
}

export interface ResetRequest__Output {
}
