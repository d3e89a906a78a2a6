// The host bridge at 00:00.0: the function by which software recognises the root of the PCI
// hierarchy. It uses the IDs of QEMU's generic PCIe host bridge (gpex, the one on QEMU's RISC-V
// `virt` machine): Red Hat 1b36:0008, class 0x0600 (bridge, host), subsystem 1af4:1100.
// It has no BARs, no interrupt pin and no capabilities.
import { PciDevice } from './device';

const HOST_BRIDGE_VENDOR_ID = 0x1b36, HOST_BRIDGE_DEVICE_ID = 0x0008;
const PCI_CLASS_BRIDGE_HOST = 0x060000;

export class PciHostBridge extends PciDevice {
  constructor() {
    super({
      name: 'host-bridge', vendorId: HOST_BRIDGE_VENDOR_ID, deviceId: HOST_BRIDGE_DEVICE_ID,
      classCode: PCI_CLASS_BRIDGE_HOST, subsystemVendorId: 0x1af4, subsystemId: 0x1100,
    });
  }
}
