// Original file: cdnlab/control/v1/control.proto


export interface TopologyRequest {
}

export interface TopologyRequest__Output {
}
