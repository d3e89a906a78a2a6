// Interrupt provenance: the chain recorder and "why didn't it arrive?" (docs/interrupt-provenance.md).
export * from './types';
export * from './recorder';
export * from './why';
