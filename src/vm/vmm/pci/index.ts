// The PCI subsystem's public surface, for the machine and the views.
export * from './config';
export * from './msi';
export * from './intx';
export * from './device';
export * from './host-bridge';
export * from './ecam';
export * from './window';
export * from './bus';
