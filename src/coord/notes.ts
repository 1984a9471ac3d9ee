/**
 * The notes file: one human-readable Markdown entry per note, appended under a cross-process lock.
 *
 *   <!-- braid notes · epoch 1a2b3c4d · ... -->
 *
 *   ### #12 · 2026-11-25T10:15:03.123Z · auth → all
 *   > Auth API ready at /api/auth/*
 *
 * Every text line is stored behind "> " with backslashes and control bytes escaped, so note text
 * (headings, separators, NUL bytes, fake headers) can never change the file's structure. Ids grow by
 * one per note; the epoch changes when the file is recreated so read cursors know to start over.
 * Lines in any other shape (hand edits, `echo >>`) are counted as stray and otherwise ignored.
 */
import { randomBytes } from "node:crypto";
import { closeSync, fstatSync, openSync, readFileSync, readSync, statSync, writeSync } from "node:fs";
import { dirname } from "node:path";
import { BraidError } from "../errors.js";
import { withLock, writeFileAtomic } from "../fsutil.js";
import { COORD_LOCK } from "./paths.js";
import { escapeLine, isValidName, requireName, unescapeLine } from "./text.js";

export interface Note {
  id: number;
  /** ISO time. */
  time: string;
  from: string;
  /** A session name, "user", or "all". */
  to: string;
  text: string;
}

export interface NotesFile {
  /** Identity of this incarnation of the file; null when it has no braid header (yet). */
  epoch: string | null;
  notes: Note[];
  /** Non-blank lines that are not part of any entry. */
  strayLines: number;
  /** False when the file does not end with an entry's blank line: the last entry may still be being written. */
  tailComplete: boolean;
}

export interface NewNote {
  from: string;
  to: string;
  text: string;
}

const HEADER_RE = /^<!-- braid notes · epoch ([0-9a-z]+)\b/;
const ENTRY_RE = /^### #(\d+) · (\S+) · (\S+) (?:→|->) (\S+)\s*$/;
/** Enough tail to find the newest entry header without reading the whole file on every append. */
const TAIL_BYTES = 64 * 1024;

export function parseNotes(content: string): NotesFile {
  const lines = content.split(/\r?\n/);
  const epoch = HEADER_RE.exec(lines[0] ?? "")?.[1] ?? null;
  const notes: Note[] = [];
  let strayLines = 0;
  let current: { note: Note; body: string[] } | null = null;
  const flush = () => {
    if (current) {
      current.note.text = current.body.join("\n");
      notes.push(current.note);
    }
    current = null;
  };
  for (let i = epoch ? 1 : 0; i < lines.length; i++) {
    const line = lines[i] ?? "";
    const m = ENTRY_RE.exec(line);
    if (m && isValidName(m[3] ?? "") && isValidName(m[4] ?? "")) {
      flush();
      current = { note: { id: Number(m[1]), time: m[2] ?? "", from: m[3] ?? "", to: m[4] ?? "", text: "" }, body: [] };
      continue;
    }
    if (current && (line === ">" || line.startsWith("> "))) {
      current.body.push(unescapeLine(line.slice(2)));
      continue;
    }
    if (line.trim() === "") continue;
    // Anything else ends the entry: a torn line, a hand-written line, the guide's `echo >>`.
    flush();
    strayLines++;
  }
  flush();
  return { epoch, notes, strayLines, tailComplete: content === "" || content.endsWith("\n\n") };
}

function newEpoch(): string {
  return randomBytes(4).toString("hex");
}

function fileHeader(epoch: string): string {
  return `<!-- braid notes · epoch ${epoch} · one entry per note: "### #id · time · from → to", text as "> " lines; post with \`braid note "..."\` -->\n`;
}

export function formatEntry(note: Note): string {
  const body = note.text
    .split(/\r?\n/)
    .map((l) => (l === "" ? ">" : `> ${escapeLine(l)}`))
    .join("\n");
  return `### #${note.id} · ${note.time} · ${note.from} → ${note.to}\n${body}\n\n`;
}

/** A missing file is an empty one; any other read failure is a one-line error. */
export function readNotesFile(file: string): NotesFile {
  let text: string;
  try {
    text = readFileSync(file, "utf8");
  } catch (e) {
    const err = e as NodeJS.ErrnoException;
    if (err.code === "ENOENT") return { epoch: null, notes: [], strayLines: 0, tailComplete: true };
    throw ioError("read", file, err);
  }
  return parseNotes(text);
}

let cache: { file: string; size: number; mtimeMs: number; parsed: NotesFile } | null = null;

/** readNotesFile with a one-entry cache keyed by size+mtime, for callers that poll (the board). */
export function readNotesCached(file: string): NotesFile {
  let st: { size: number; mtimeMs: number };
  try {
    st = statSync(file);
  } catch {
    return readNotesFile(file);
  }
  if (cache && cache.file === file && cache.size === st.size && cache.mtimeMs === st.mtimeMs) return cache.parsed;
  const parsed = readNotesFile(file);
  cache = { file, size: st.size, mtimeMs: st.mtimeMs, parsed };
  return parsed;
}

/**
 * Read while holding the writers' lock, so an append in progress is never seen half-written.
 * Falls back to a plain read where the lock cannot be taken (read-only folder).
 */
export async function readNotesLocked(file: string): Promise<NotesFile> {
  try {
    return await withLock(file, () => readNotesFile(file), COORD_LOCK);
  } catch (e) {
    if (e instanceof BraidError) throw e;
    return readNotesFile(file);
  }
}

function readRange(fd: number, start: number, length: number): string {
  const buf = Buffer.alloc(length);
  let got = 0;
  while (got < length) {
    const n = readSync(fd, buf, got, length - got, start + got);
    if (n === 0) break;
    got += n;
  }
  return buf.subarray(0, got).toString("utf8");
}

function lastId(text: string): number | null {
  let max: number | null = null;
  for (const line of text.split("\n")) {
    const m = ENTRY_RE.exec(line);
    if (m) max = Math.max(max ?? 0, Number(m[1]));
  }
  return max;
}

/** Append one note under the lock; returns it with its id and time. */
export async function appendNote(file: string, input: NewNote): Promise<Note> {
  requireName(input.from, "note author");
  requireName(input.to, "note recipient");
  try {
    return await withLock(file, () => appendLocked(file, input), COORD_LOCK);
  } catch (e) {
    if (e instanceof BraidError) throw e;
    throw ioError("write", file, e as NodeJS.ErrnoException);
  }
}

/** A file started by hand or by `echo >>` gets braid's header; every byte after it is kept. */
function ensureHeader(file: string): void {
  let old: string;
  try {
    old = readFileSync(file, "utf8");
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === "ENOENT") return;
    throw e;
  }
  if (old.length === 0 || HEADER_RE.test(old)) return;
  writeFileAtomic(file, `${fileHeader(newEpoch())}\n${old}${old.endsWith("\n") ? "" : "\n"}`);
}

function appendLocked(file: string, input: NewNote): Note {
  let fd = openSync(file, "a+", 0o644);
  let size = fstatSync(fd).size;
  if (size > 0 && !HEADER_RE.test(readRange(fd, 0, Math.min(size, 512)))) {
    closeSync(fd);
    ensureHeader(file);
    fd = openSync(file, "a+", 0o644);
    size = fstatSync(fd).size;
  }
  try {
    let prefix = size === 0 ? `${fileHeader(newEpoch())}\n` : "";
    let id = 1;
    if (size > 0) {
      const tailStart = Math.max(0, size - TAIL_BYTES);
      const tail = readRange(fd, tailStart, size - tailStart);
      const found = lastId(tail) ?? (tailStart > 0 ? lastId(readFileSync(file, "utf8")) : null);
      id = (found ?? 0) + 1;
      // A writer killed mid-line leaves no newline: end its line so ours starts clean.
      if (!tail.endsWith("\n")) prefix = "\n\n";
    }
    const note: Note = { id, time: new Date().toISOString(), from: input.from, to: input.to, text: input.text };
    const data = Buffer.from(prefix + formatEntry(note));
    // One write call per entry (O_APPEND): readers that skip the lock see whole lines or nothing new.
    let off = 0;
    while (off < data.length) off += writeSync(fd, data, off, data.length - off);
    return note;
  } finally {
    closeSync(fd);
  }
}

function ioError(op: "read" | "write", file: string, err: NodeJS.ErrnoException): BraidError {
  const why = err.code === "EACCES" || err.code === "EPERM" || err.code === "EROFS" ? "permission denied" : err.message;
  return new BraidError(
    `cannot ${op} notes file ${file}: ${why}`,
    `check the permissions of ${dirname(file)}, or point BRAID_WORKFLOWS_DIR at a writable folder`,
  );
}
