/**
 * The background deleter `braid rm` starts: `node trash-worker.js <trash entry>` (see trash.ts). It claims
 * the entry, lowers its own priority and deletes it. Silent: its output goes nowhere. Kept free of imports
 * beyond node's own so it starts fast.
 */
import { setPriority } from "node:os";
import { claimEntry, removeClaimed } from "./trash-remove.js";

const entry = process.argv[2];
const claimed = entry ? claimEntry(entry) : null;
if (claimed) {
  try {
    setPriority(10);
  } catch {
    /* not allowed: delete at normal priority */
  }
  removeClaimed(claimed);
}
