/**
 * Output to fd 1 and 2 with fs instead of `process.stdout`/`process.stderr`: those getters build a stream (for a
 * pipe, a socket and node's stream modules) on first use, a few ms of a short command's start-up (measured: 7 ms
 * of a 40 ms `node -e` writing one line to a pipe, 1 ms with fs). A descriptor that is non-blocking (EAGAIN) or
 * fails otherwise hands over to node's stream for good, so what was written stays in order; a reader that went
 * away (EPIPE, `braid ls | head -1`) ends the output quietly instead of with node's unhandled stream error.
 */
import { fstatSync, statSync, writeSync } from "node:fs";
import { lazyRequire } from "./lazy.js";

type Fd = 1 | 2;

const viaStream = new Set<Fd>();
const gone = new Set<Fd>();

const stream = (fd: Fd): NodeJS.WriteStream => (fd === 1 ? process.stdout : process.stderr);

function writeFd(fd: Fd, text: string): void {
  if (gone.has(fd)) return;
  if (viaStream.has(fd)) {
    stream(fd).write(text);
    return;
  }
  const buf = Buffer.from(text);
  let off = 0;
  try {
    while (off < buf.length) off += writeSync(fd, buf, off, buf.length - off);
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === "EPIPE") {
      gone.add(fd);
      return;
    }
    viaStream.add(fd);
    stream(fd).write(buf.subarray(off));
  }
}

export function writeOut(text: string): void {
  writeFd(1, text);
}

export function writeErr(text: string): void {
  writeFd(2, text);
}

const isTerminalCache = new Map<Fd, boolean>();

/**
 * Is fd a terminal? Asked without `process.stdout`: a descriptor that is not a character device, or is /dev/null,
 * is not one; only one that may be loads node:tty (which loads net) to make sure.
 */
export function isTerminal(fd: Fd): boolean {
  let known = isTerminalCache.get(fd);
  if (known === undefined) {
    try {
      const st = fstatSync(fd);
      known = st.isCharacterDevice() && st.rdev !== statSync("/dev/null").rdev && ttyIsatty(fd);
    } catch {
      known = false; // closed
    }
    isTerminalCache.set(fd, known);
  }
  return known;
}

// Required when asked, not imported: most runs write to a pipe or a file and never need it.
const tty = lazyRequire<typeof import("node:tty")>("node:tty");

function ttyIsatty(fd: Fd): boolean {
  return tty().isatty(fd);
}

/** The terminal's width for fd, or undefined when it is not one (then nothing is wrapped to a width). */
export function terminalColumns(fd: Fd): number | undefined {
  return isTerminal(fd) ? stream(fd).columns : undefined;
}
