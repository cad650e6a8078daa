export * from './http-front';
export * from './edge';
