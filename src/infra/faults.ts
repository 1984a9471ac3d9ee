/**
 * Fault-injection points for the fault suite (test/faults): with `BRAID_FAULT_PAUSE=<point>` braid stops
 * at that named point (writing its pid to `BRAID_FAULT_MARK` first) so a test can kill -9 it exactly there,
 * or, with `BRAID_FAULT_RESUME=<file>`, waits until that file exists and goes on (to let a race happen at
 * exactly that point). Unset: one env lookup.
 */
import { existsSync, writeFileSync } from "node:fs";

export function faultPause(point: string): void {
  if (process.env.BRAID_FAULT_PAUSE !== point) return;
  const mark = process.env.BRAID_FAULT_MARK;
  if (mark) writeFileSync(mark, `${process.pid}\n`);
  const resume = process.env.BRAID_FAULT_RESUME;
  const cell = new Int32Array(new SharedArrayBuffer(4));
  for (;;) {
    if (resume && existsSync(resume)) return;
    Atomics.wait(cell, 0, 0, 20);
  }
}
