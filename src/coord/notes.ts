/**
 * The notes file: one human-readable Markdown entry per note, appended without a lock.
 *
 *   ### #mi3xk2a1-3f9c2e · 2026-11-25T10:15:03.123Z · auth → all
 *   > Auth API ready at /api/auth/*
 *
 * Each entry is written by ONE write(2) on an O_APPEND descriptor: the kernel serializes appends to a
 * file (ext4 holds the inode lock for the whole write), so concurrent writers never interleave and
 * never wait on each other. Ids are unique without coordination (time + random); order is file order.
 *
 * Every text line is stored behind "> " with backslashes and control bytes escaped, so note text
 * (headings, separators, NUL bytes, fake headers) can never change the structure. An entry counts only
 * once its closing blank line is there: a write still in progress, or one cut short by kill -9, is
 * skipped rather than delivered half. Each entry starts with a newline so a torn line never swallows
 * the next header. Lines in any other shape (hand edits, `echo >>`) are counted as stray and ignored.
 */
import { closeSync, openSync, readFileSync, statSync, writeSync } from "node:fs";
import { dirname } from "node:path";
import { mkdirPrivate, PRIVATE_FILE_MODE, withLock } from "../infra/fsutil.js";
import { randomHex } from "../infra/random.js";
import { coordFileError } from "./paths.js";
import { escapeLine, isValidName, requireName, unescapeLine } from "./text.js";

export interface Note {
  /** Unique id: base36 milliseconds + 48 random bits as hex (24 bits collided once in 3,200 notes of one burst). */
  id: string;
  /** ISO time. */
  time: string;
  from: string;
  /** A session name, "user", or "all". */
  to: string;
  text: string;
}

export interface NotesFile {
  /** Complete entries in file (= posting) order. */
  notes: Note[];
  /** Non-blank lines that are not part of any complete entry. */
  strayLines: number;
}

export interface NewNote {
  from: string;
  to: string;
  text: string;
}

const FILE_HEADER =
  '<!-- braid notes: one entry per note ("### #id · time · from → to", text as "> " lines). Post with `braid note "..."`. -->\n';
const ENTRY_RE = /^### #([0-9a-z]+-[0-9a-f]+) · (\S+) · (\S+) (?:→|->) (\S+)\s*$/;

export function parseNotes(content: string): NotesFile {
  const lines = content.split(/\r?\n/);
  const notes: Note[] = [];
  let strayLines = 0;
  let current: { note: Note; body: string[]; lines: number } | null = null;
  const drop = () => {
    if (current) strayLines += current.lines;
    current = null;
  };
  for (const line of lines) {
    const m = ENTRY_RE.exec(line);
    if (m && isValidName(m[3] ?? "") && isValidName(m[4] ?? "")) {
      drop(); // a header right after body lines: the entry before it was never finished
      const note = { id: m[1] ?? "", time: m[2] ?? "", from: m[3] ?? "", to: m[4] ?? "", text: "" };
      current = { note, body: [], lines: 1 };
      continue;
    }
    if (current && (line === ">" || line.startsWith("> "))) {
      current.body.push(unescapeLine(line.slice(2)));
      current.lines++;
      continue;
    }
    if (line === "" && current) {
      // The closing blank line: the entry is complete.
      current.note.text = current.body.join("\n");
      notes.push(current.note);
      current = null;
      continue;
    }
    drop();
    if (line.trim() !== "" && !line.startsWith("<!--")) strayLines++;
  }
  drop();
  return { notes, strayLines };
}

/** Many agents post in the same millisecond, and copies of the file merge by id, so a collision loses a note. */
export function newNoteId(now: number = Date.now()): string {
  return `${now.toString(36)}-${randomHex(12)}`;
}

export function formatEntry(note: Note): string {
  const body = note.text
    .split(/\r?\n/)
    .map((l) => (l === "" ? ">" : `> ${escapeLine(l)}`))
    .join("\n");
  return `\n### #${note.id} · ${note.time} · ${note.from} → ${note.to}\n${body}\n\n`;
}

/**
 * The parsed file and how many bytes were read. A missing file is an empty one (0 bytes); any other read failure
 * is a one-line error.
 */
export function readNotesFile(file: string): NotesFile & { bytes: number } {
  let buf: Buffer;
  try {
    buf = readFileSync(file);
  } catch (e) {
    const err = e as NodeJS.ErrnoException;
    if (err.code === "ENOENT") return { notes: [], strayLines: 0, bytes: 0 };
    throw coordFileError("read", "notes", file, err);
  }
  return { ...parseNotes(buf.toString("utf8")), bytes: buf.length };
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

/** Append one note (one write call, no lock); returns it with its id and time. */
export async function appendNote(file: string, input: NewNote): Promise<Note> {
  requireName(input.from, "note author");
  requireName(input.to, "note recipient");
  const now = Date.now();
  const note: Note = {
    id: newNoteId(now),
    time: new Date(now).toISOString(),
    from: input.from,
    to: input.to,
    text: input.text,
  };
  writeEntry(file, note);
  return note;
}

/** One entry in one write call on an O_APPEND descriptor (see the file's header comment). */
function writeEntry(file: string, note: Note): void {
  const data = Buffer.from(formatEntry(note));
  try {
    mkdirPrivate(dirname(file));
    writeHeaderOnce(file);
    const fd = openSync(file, "a", PRIVATE_FILE_MODE);
    try {
      const n = writeSync(fd, data);
      // A short write (disk full, signal) must not be followed by a second write that could land
      // after someone else's entry; the partial entry stays unterminated and is skipped by readers.
      if (n !== data.length)
        throw Object.assign(new Error(`short write (${n} of ${data.length} bytes)`), { code: "EIO" });
    } finally {
      closeSync(fd);
    }
  } catch (e) {
    throw coordFileError("write", "notes", file, e as NodeJS.ErrnoException);
  }
}

/**
 * Append the notes `file` lacks (by id), keeping their id, time and authors: how notes of another copy of
 * the project's notes (a host's) arrive. Under a lock, so two syncs never append the same note twice.
 * Returns how many were added.
 */
export async function importNotes(file: string, notes: readonly Note[]): Promise<number> {
  return withLock(`${file}.import`, () => {
    const have = new Set(readNotesFile(file).notes.map((n) => n.id));
    let added = 0;
    for (const n of notes) {
      if (have.has(n.id) || !/^[0-9a-z]+-[0-9a-f]+$/.test(n.id) || !isValidName(n.from) || !isValidName(n.to)) continue;
      writeEntry(file, { id: n.id, time: n.time, from: n.from, to: n.to, text: String(n.text) });
      have.add(n.id);
      added++;
    }
    return added;
  });
}

/**
 * The explanatory first line, written only by whoever creates the file. Opened for append ("ax"), not
 * "wx": another writer may append its entry between our create and our write, and a positional write
 * at offset 0 would overwrite it. At worst the comment lands after the first entry.
 */
function writeHeaderOnce(file: string): void {
  let fd: number;
  try {
    fd = openSync(file, "ax", PRIVATE_FILE_MODE);
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === "EEXIST") return;
    throw e;
  }
  try {
    writeSync(fd, FILE_HEADER);
  } finally {
    closeSync(fd);
  }
}
