// The process's one history pool (src/vm/vmm/history-pool.ts): every debug session of this process
// joins it, so `historyMiB` bounds reverse execution's memory over the whole process — several
// sessions in VS Code's inline adapter share it — and not only within each session
// (docs/debugging.md, "Reverse execution"). Process-wide by nature: it is the process's memory.
import { HistoryPool } from '../vm';

export const processHistory = new HistoryPool();
