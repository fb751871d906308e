export * from './money';
export * from './auth';
export * from './client';
