/**
 * Facts read straight from a git index file, without running git (a spawn over a 20k-file index costs tens of
 * ms; these are reads of a few bytes): its entry count (the header: "DIRC", version, entries) and its checksum
 * (the trailer: a hash of everything before it).
 */
import { closeSync, fstatSync, openSync, readdirSync, readSync } from "node:fs";
import { dirname } from "node:path";

/** The smallest index git writes: a 12-byte header and a 20-byte checksum. */
const MIN_INDEX_BYTES = 32;

/** `length` bytes at `position` (negative: from the end) of an index-sized file, or null when unreadable. */
function readIndexBytes(path: string, length: number, position: number): Buffer | null {
  let fd: number;
  try {
    fd = openSync(path, "r");
  } catch {
    return null;
  }
  try {
    const size = fstatSync(fd).size;
    if (size < MIN_INDEX_BYTES) return null;
    const buf = Buffer.alloc(length);
    return readSync(fd, buf, 0, length, position < 0 ? size + position : position) === length ? buf : null;
  } catch {
    return null;
  } finally {
    closeSync(fd);
  }
}

/** Entries in the index, or null when it is not a plain index (missing, another format, a split index). */
export function indexEntryCount(indexPath: string): number | null {
  try {
    if (readdirSync(dirname(indexPath)).some((n) => n.startsWith("sharedindex."))) return null;
  } catch {
    return null;
  }
  const head = readIndexBytes(indexPath, 12, 0);
  return head && head.toString("latin1", 0, 4) === "DIRC" ? head.readUInt32BE(8) : null;
}

/**
 * The index's checksum. Index files are replaced whole (by rename), so the same checksum means the same
 * entries, hence the same tree. Null when there is none.
 */
export function indexChecksum(indexPath: string): string | null {
  const sum = readIndexBytes(indexPath, 20, -20);
  return !sum || sum.every((b) => b === 0) ? null : sum.toString("hex");
}
