/**
 * Fault-injection points for the fault suite (test/faults): with `BRAID_FAULT_PAUSE=<point>` braid stops
 * at that named point (writing its pid to `BRAID_FAULT_MARK` first) so a test can kill -9 it exactly there,
 * or, with `BRAID_FAULT_PAUSE_MS`, waits that long and goes on (to let a race happen). Unset: one env lookup.
 */
import { writeFileSync } from "node:fs";

export function faultPause(point: string): void {
  if (process.env.BRAID_FAULT_PAUSE !== point) return;
  const mark = process.env.BRAID_FAULT_MARK;
  if (mark) writeFileSync(mark, `${process.pid}\n`);
  const ms = Number(process.env.BRAID_FAULT_PAUSE_MS ?? 0);
  const cell = new Int32Array(new SharedArrayBuffer(4));
  if (ms > 0) {
    Atomics.wait(cell, 0, 0, ms);
    return;
  }
  for (;;) Atomics.wait(cell, 0, 0, 60_000);
}
