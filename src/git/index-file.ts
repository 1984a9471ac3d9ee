/**
 * Facts read straight from a git index file, without running git (a spawn over a 20k-file index costs tens of
 * ms; these are reads of a few bytes): its entry count (the header: "DIRC", version, entries) and its checksum
 * (the trailer: a hash of everything before it).
 */
import { closeSync, fstatSync, openSync, readdirSync, readFileSync, readSync } from "node:fs";
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

/** Bytes of an entry before its path (stat data, object name, flags), for SHA-1 repositories. */
const ENTRY_FIXED_BYTES = 62;
const HASH_BYTES = 20;

/**
 * The tree `git write-tree` would print for this index, read from its cache-tree extension ("TREE"), with the
 * checksum of the same read (so the pair is certain to belong together). Null when git has not recorded a valid root
 * (entries changed since the last write-tree), for split indexes, SHA-256 repositories and anything unexpected:
 * the caller then runs write-tree. Saves a process per worktree whenever git already knows the answer.
 */
export function indexRootTree(indexPath: string): { sum: string; tree: string } | null {
  let data: Buffer;
  try {
    data = readFileSync(indexPath);
  } catch {
    return null;
  }
  const end = data.length - HASH_BYTES;
  if (end < 12 || data.toString("latin1", 0, 4) !== "DIRC") return null;
  const version = data.readUInt32BE(4);
  if (version < 2 || version > 4) return null;
  let pos = 12;
  let prevLen = 0;
  for (let n = data.readUInt32BE(8); n > 0; n--) {
    if (pos + ENTRY_FIXED_BYTES > end) return null;
    const flags = data.readUInt16BE(pos + ENTRY_FIXED_BYTES - 2);
    let at = pos + ENTRY_FIXED_BYTES + (version >= 3 && flags & 0x4000 ? 2 : 0);
    if (version === 4) {
      // The path is a varint (bytes of the previous path to drop) and a NUL-terminated suffix; no padding.
      let b = data[at++] ?? 0;
      let strip = b & 0x7f;
      while (b & 0x80) {
        b = data[at++] ?? 0;
        strip = (strip + 1) * 128 + (b & 0x7f); // git's offset varint: each continuation byte adds one
      }
      const nul = data.indexOf(0, at);
      if (nul < 0 || nul >= end || strip > prevLen) return null;
      prevLen = prevLen - strip + (nul - at);
      pos = nul + 1;
    } else {
      const nul = data.indexOf(0, at);
      if (nul < 0 || nul >= end) return null;
      pos += Math.ceil((nul - pos + 1) / 8) * 8; // entries are NUL-padded to a multiple of 8 bytes
    }
  }
  let tree: string | null = null;
  while (pos + 8 <= end) {
    const sig = data.toString("latin1", pos, pos + 4);
    const size = data.readUInt32BE(pos + 4);
    const body = pos + 8;
    if (body + size > end) return null;
    if (sig === "link") return null; // split index: the entries live elsewhere
    if (sig === "TREE") {
      // Root record: "" NUL, entry count (-1 when invalid), space, subtree count, LF, then the tree's name.
      const lf = data.indexOf(10, body);
      const m = lf > 0 && lf < body + size ? /^\0(-?\d+) \d+$/.exec(data.toString("latin1", body, lf)) : null;
      if (!m || Number(m[1]) < 0 || lf + 1 + HASH_BYTES > body + size) return null;
      tree = data.toString("hex", lf + 1, lf + 1 + HASH_BYTES);
    }
    pos = body + size;
  }
  if (pos !== end || !tree) return null; // a walk that does not land on the trailer misread the file
  return { sum: data.toString("hex", end), tree };
}
