/** Reading the end of a file that may be long (logs, transcripts): one read of at most `maxBytes`. */
import { closeSync, fstatSync, openSync, readSync } from "node:fs";

/** The last `maxBytes` of a file; "" when it cannot be read (missing, a directory, no permission). */
export function readTail(file: string, maxBytes = 64 * 1024): string {
  let fd: number | null = null;
  try {
    fd = openSync(file, "r");
    const size = fstatSync(fd).size;
    const start = Math.max(0, size - maxBytes);
    const buf = Buffer.alloc(size - start);
    const n = readSync(fd, buf, 0, buf.length, start);
    return buf.subarray(0, n).toString("utf8");
  } catch {
    return "";
  } finally {
    if (fd !== null) closeSync(fd);
  }
}
