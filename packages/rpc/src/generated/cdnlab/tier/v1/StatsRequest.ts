// Original file: cdnlab/tier/v1/tier.proto


export interface StatsRequest {
}

export interface StatsRequest__Output {
}
