export * from './real-scheduler';
export * from './node-config';
export * from './cache-node';
export * from './metrics';
export * from './upstream-grpc';
export * from './tier-node';
export * from './main-runner';
