// The interrupt controllers' public surface: the hypervisor (kernel irqchip) and the VMM (split /
// userspace irqchip) place these models; see docs/interrupt-controllers.md.
export * from './message';
export * from './msi';
export * from './redirection-entry';
export * from './ioapic';
export * from './lapic';
export * from './lapic-regs';
export * from './lapic-timer';
export * from './apic-bus';
export * from './vector-bitmap';
