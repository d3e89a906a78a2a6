// What the debug session needs from the world around it (docs/style.md habit 2, after mock-debug's
// FileAccessor): reading the program, resolving paths, and a wall clock used only to size the
// slices the guest runs in between DAP requests — never visible to the guest, whose time is virtual.

export interface DebugHost {
  /** The bytes of a file; rejects with an Error whose message names the file. */
  readFile(path: string): Promise<Uint8Array>;
  /** `file` made absolute against `base` (the launch configuration's cwd), if it is not already. */
  resolvePath(file: string, base?: string): string;
  /** Milliseconds from an arbitrary origin (performance.now()). */
  now(): number;
}
