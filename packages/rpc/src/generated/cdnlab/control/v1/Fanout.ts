// Original file: cdnlab/control/v1/control.proto

export const Fanout = {
  FANOUT_UNSPECIFIED: 'FANOUT_UNSPECIFIED',
  /**
   * The control plane calls every node itself.
   */
  FANOUT_DIRECT: 'FANOUT_DIRECT',
  /**
   * The control plane calls the top of the tree; each node passes the purge
   * on to the nodes below it.
   */
  FANOUT_TREE: 'FANOUT_TREE',
} as const;

export type Fanout =
  | 'FANOUT_UNSPECIFIED'
  | 0
  /**
   * The control plane calls every node itself.
   */
  | 'FANOUT_DIRECT'
  | 1
  /**
   * The control plane calls the top of the tree; each node passes the purge
   * on to the nodes below it.
   */
  | 'FANOUT_TREE'
  | 2

export type Fanout__Output = typeof Fanout[keyof typeof Fanout]
