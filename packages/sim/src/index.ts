export * from './virtual-scheduler';
