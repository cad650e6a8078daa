export * from './real-scheduler';
