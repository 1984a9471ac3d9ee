/**
 * The entry count in a git index file's header ("DIRC", version, entries: 12 bytes), read without running
 * git: `git ls-files` of a 20k-file index costs tens of ms, this a read of 12 bytes. Null when the file is
 * not a plain index (missing, another format, or a split index whose entries live in a shared file).
 */
import { closeSync, existsSync, openSync, readdirSync, readSync } from "node:fs";
import { dirname } from "node:path";

export function indexEntryCount(indexPath: string): number | null {
  if (!existsSync(indexPath)) return null;
  try {
    if (readdirSync(dirname(indexPath)).some((n) => n.startsWith("sharedindex."))) return null;
    const fd = openSync(indexPath, "r");
    try {
      const head = Buffer.alloc(12);
      if (readSync(fd, head, 0, 12, 0) !== 12 || head.toString("latin1", 0, 4) !== "DIRC") return null;
      return head.readUInt32BE(8);
    } finally {
      closeSync(fd);
    }
  } catch {
    return null;
  }
}
