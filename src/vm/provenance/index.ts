// Interrupt provenance: the chain recorder and "why didn't it arrive?" (docs/interrupt-provenance.md).
export * from './types';
export * from './recorder';
export * from './why';
export {
  L_DEVICE, L_VMM, L_KERNEL, L_GUEST, O_HANDLED, O_IN_SERVICE, O_PENDING, O_BLOCKED, O_COALESCED, O_LOST,
  SK_INTX, SK_MSI, SK_TESTDEV, SK_IPI, SK_TIMER, SK_DEBUGGER, SK_DEVICE,
} from './chain-store';
