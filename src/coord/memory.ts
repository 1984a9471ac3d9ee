/**
 * The project memory: a plain Markdown file a person can edit by hand.
 *
 *   # Project memory: myapp
 *   ## Gotchas
 *   - Run migrations before tests. _(2026-11-25, from auth)_
 *
 * braid only relies on what Markdown already means: headings (any level) start sections, list items
 * are learnings, fenced code is opaque. Anything else a person writes is kept as it is. New learnings
 * go to the end of their section (created at the end of the file when missing); exact and
 * near-duplicates (case, spacing, emphasis, trailing punctuation) anywhere in the file are skipped.
 */
import { existsSync, readdirSync, readFileSync, statSync, unlinkSync } from "node:fs";
import { basename, dirname, join } from "node:path";
import { setTimeout as sleep } from "node:timers/promises";
import { BraidError } from "../infra/errors.js";
import { lockHolder, reportLockWait, withLock, writeFileAtomic } from "../infra/fsutil.js";
import { isObject, readJsonFile } from "../infra/json.js";
import { randomHex } from "../infra/random.js";
import { COORD_LOCK, coordFileError } from "./paths.js";
import { normalizeLearning, requireName, requireSection, toBulletText } from "./text.js";

export const DEFAULT_SECTION = "Learnings";

export interface Learning {
  text: string;
  /** YYYY-MM-DD from braid's provenance suffix; null for hand-written items. */
  date: string | null;
  from: string | null;
}

export interface MemorySection {
  /** Heading text ("" for items before the first heading). */
  name: string;
  level: number;
  items: Learning[];
}

interface Heading {
  line: number;
  level: number;
  name: string;
}

interface Parsed {
  lines: string[];
  eol: string;
  headings: Heading[];
  sections: MemorySection[];
  /** The file ends inside a fenced code block nobody closed. */
  openFence: boolean;
}

const HEADING_RE = /^ {0,3}(#{1,6})[ \t]+(.*?)[ \t#]*$/;
const BULLET_RE = /^ {0,3}(?:[-*+]|\d{1,9}[.)])[ \t]+(.*)$/;
const FENCE_RE = /^ {0,3}(`{3,}|~{3,})/;
const PROVENANCE_RE = /\s*_\((\d{4}-\d{2}-\d{2})(?:,\s*from\s+([^)]*))?\)_\s*$/;

function sectionKey(name: string): string {
  return name.replace(/[*_`]/g, "").replace(/:\s*$/, "").replace(/\s+/g, " ").trim().toLowerCase();
}

export function parseMemory(content: string): Parsed {
  const eol = content.includes("\r\n") ? "\r\n" : "\n";
  const lines = content.replace(/^\uFEFF/, "").split(/\r?\n/);
  if (lines.length > 0 && lines[lines.length - 1] === "") lines.pop();
  const headings: Heading[] = [];
  const sections: MemorySection[] = [{ name: "", level: 0, items: [] }];
  let fence: string | null = null;
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i] ?? "";
    const f = FENCE_RE.exec(line);
    if (f) {
      const mark = f[1] ?? "";
      if (fence === null) fence = mark;
      else if (mark[0] === fence[0] && mark.length >= fence.length) fence = null;
      continue;
    }
    if (fence !== null) continue;
    const h = HEADING_RE.exec(line);
    if (h) {
      const heading = { line: i, level: (h[1] ?? "#").length, name: (h[2] ?? "").trim() };
      headings.push(heading);
      sections.push({ name: heading.name, level: heading.level, items: [] });
      continue;
    }
    const b = BULLET_RE.exec(line);
    if (b) {
      const raw = b[1] ?? "";
      const p = PROVENANCE_RE.exec(raw);
      const text = p ? raw.slice(0, p.index) : raw;
      if (text.trim()) {
        sections[sections.length - 1]?.items.push({
          text: text.trim(),
          date: p?.[1] ?? null,
          from: p?.[2]?.trim() || null,
        });
      }
    }
  }
  return {
    lines,
    eol,
    headings,
    sections: sections.filter((s) => s.level > 0 || s.items.length),
    openFence: fence !== null,
  };
}

export interface MemoryView {
  path: string;
  exists: boolean;
  text: string;
  sections: MemorySection[];
}

/** The memory as text and sections; a missing file is empty, an unreadable one a one-line error. */
export function readMemory(file: string): MemoryView {
  let text: string;
  try {
    text = readFileSync(file, "utf8");
  } catch (e) {
    const err = e as NodeJS.ErrnoException;
    if (err.code === "ENOENT") return { path: file, exists: false, text: "", sections: [] };
    if (err.code === "EISDIR")
      throw new BraidError(
        `memory path ${file} is a directory`,
        "move it aside; braid keeps memory in a Markdown file",
      );
    throw coordFileError("read", "memory", file, err);
  }
  return { path: file, exists: true, text, sections: parseMemory(text).sections };
}

export function memoryTemplate(slug: string): string {
  return [
    `# Project memory: ${slug}`,
    "",
    "Shared by every worktree and session of this project. Plain Markdown: edit it freely.",
    'Add with `braid learn "..." [--section Gotchas]`; each session gets this file when it starts.',
    "",
  ].join("\n");
}

export interface NewLearning {
  text: string;
  section?: string;
  from?: string;
}

export interface LearnResult {
  added: Array<{ text: string; section: string }>;
  /** Already in memory (same text after normalization), or repeated in this batch. */
  duplicates: string[];
}

interface PendingLearning {
  text: string;
  section: string;
  from: string | null;
  /** YYYY-MM-DD */
  date: string;
}

function isPendingLearning(v: unknown): v is PendingLearning {
  return isObject(v) && typeof v.text === "string" && typeof v.section === "string";
}

/** Where learnings wait (one small file each) until a writer holding the lock folds them in. */
export function pendingDir(file: string): string {
  return join(dirname(file), `.${basename(file, ".md")}.pending`);
}

/**
 * Add learnings. Writers never queue on the memory lock: each learning is first written as its own
 * file in the pending folder (atomic create, no lock), then whoever gets the lock folds every
 * pending learning into the Markdown file in one rewrite. A writer returns once its own learnings
 * are in the file, so the memory is complete when `braid learn` exits.
 */
export async function addLearnings(
  file: string,
  slug: string,
  items: NewLearning[],
  now: Date = new Date(),
): Promise<LearnResult> {
  for (const i of items) if (i.section) requireSection(i.section);
  for (const i of items) if (i.from) requireName(i.from, "learning source");
  const result: LearnResult = { added: [], duplicates: [] };
  try {
    const existing = parseMemory(readText(file) ?? "");
    const seen = new Set(existing.sections.flatMap((s) => s.items.map((i) => normalizeLearning(i.text))));
    const mine: Array<{ path: string; pending: PendingLearning; key: string }> = [];
    const date = now.toISOString().slice(0, 10);
    for (const item of items) {
      const text = toBulletText(item.text);
      const key = normalizeLearning(text);
      if (!key || seen.has(key)) {
        result.duplicates.push(text);
        continue;
      }
      seen.add(key);
      const section = item.section?.trim() || DEFAULT_SECTION;
      const pending: PendingLearning = { text, section, from: item.from ?? null, date };
      const id = `${now.getTime().toString(36)}-${process.pid.toString(36)}-${randomHex(6)}-${mine.length}`;
      const p = join(pendingDir(file), `${id}.json`);
      writePending(p, JSON.stringify(pending));
      mine.push({ path: p, pending, key });
      result.added.push({ text, section });
    }
    await foldUntilDone(file, slug, mine);
  } catch (e) {
    if (e instanceof BraidError) throw e;
    throw coordFileError("write", "memory", file, e as NodeJS.ErrnoException);
  }
  return result;
}

/** Checked atomic write (fsutil's), so a fold never reads half a file and a full disk is an error. */
function writePending(path: string, data: string): void {
  writeFileAtomic(path, data);
}

/**
 * Wait until our pending learnings are folded AND visible in the file. If a fold that lost its lock
 * (a holder stalled past the stale time) overwrote the file without them, they are queued again:
 * a learning is never dropped silently.
 */
async function foldUntilDone(
  file: string,
  slug: string,
  mine: Array<{ path: string; pending: PendingLearning; key: string }>,
): Promise<void> {
  const t0 = Date.now();
  const deadline = t0 + COORD_LOCK.timeoutMs;
  let wait = 2;
  let reported = false;
  for (;;) {
    if (!mine.some((m) => existsSync(m.path))) {
      const present = new Set(
        parseMemory(readText(file) ?? "").sections.flatMap((s) => s.items.map((i) => normalizeLearning(i.text))),
      );
      const missing = mine.filter((m) => !present.has(m.key));
      if (missing.length === 0) return;
      for (const m of missing) writePending(m.path, JSON.stringify(m.pending));
    }
    try {
      await withLock(file, () => foldPending(file, slug), { ...COORD_LOCK, timeoutMs: 0 });
      continue;
    } catch (e) {
      const err = e as NodeJS.ErrnoException;
      const busy = err.code === "ELOCKED" || (err.code === "ENOENT" && String(err.path ?? "").endsWith(".lock"));
      if (!busy) throw e;
    }
    if (Date.now() > deadline) {
      const h = lockHolder(file);
      throw new BraidError(
        `memory file ${file} stayed locked for ${COORD_LOCK.timeoutMs / 1000} s${h ? ` by pid ${h.pid}` : ""}`,
        h ? `wait for pid ${h.pid} to finish, or stop it if it hangs (kill ${h.pid}), then retry` : "retry",
      );
    }
    if (!reported && Date.now() - t0 > 1000) {
      reported = true;
      reportLockWait(file, "the project memory");
    }
    // Someone else is folding (probably ours too): check again shortly.
    await sleep(Math.ceil(wait * (0.5 + Math.random())));
    wait = Math.min(50, wait * 1.5);
  }
}

/** Under the lock: merge every pending learning into the file, then remove the merged ones. */
function foldPending(file: string, slug: string): void {
  const dir = pendingDir(file);
  let names: string[];
  try {
    names = readdirSync(dir)
      .filter((n) => n.endsWith(".json"))
      .sort();
  } catch {
    return;
  }
  const items: PendingLearning[] = [];
  const done: string[] = [];
  for (const n of names) {
    const p = join(dir, n);
    // unreadable leftovers are dropped below with the rest
    const v = readJsonFile(p, isPendingLearning);
    if (v) items.push(v);
    done.push(p);
  }
  if (items.length) mergeLearnings(file, slug, items);
  // Removed only after the memory file is written: a crash in between re-merges them, and
  // dedupe keeps that from adding anything twice.
  for (const p of done) {
    try {
      unlinkSync(p);
    } catch {
      /* gone already */
    }
  }
  removeCrashedTemps(dir, "");
}

function readText(file: string): string | null {
  try {
    return readFileSync(file, "utf8");
  } catch (e) {
    const err = e as NodeJS.ErrnoException;
    if (err.code === "ENOENT") return null;
    throw err;
  }
}

function mergeLearnings(file: string, slug: string, items: PendingLearning[]): void {
  const parsed = parseMemory(readText(file) ?? memoryTemplate(slug));
  const seen = new Set(parsed.sections.flatMap((s) => s.items.map((i) => normalizeLearning(i.text))));
  let added = 0;
  const { lines, headings } = parsed;
  // An unclosed code fence would swallow everything braid appends: close it first.
  if (parsed.openFence) lines.push("```");
  for (const item of items) {
    const text = toBulletText(item.text);
    const key = normalizeLearning(text);
    if (!key || seen.has(key)) continue;
    seen.add(key);
    const section = item.section.trim() || DEFAULT_SECTION;
    const bullet = `- ${text} _(${item.date}${item.from ? `, from ${item.from}` : ""})_`;
    const at = headings.findIndex((h) => sectionKey(h.name) === sectionKey(section));
    if (at === -1) {
      while (lines.length && lines[lines.length - 1]?.trim() === "") lines.pop();
      if (lines.length) lines.push("");
      headings.push({ line: lines.length, level: 2, name: section });
      lines.push(`## ${section}`, "", bullet);
    } else {
      const start = headings[at]?.line ?? 0;
      const end = headings[at + 1]?.line ?? lines.length;
      let last = end - 1;
      while (last > start && lines[last]?.trim() === "") last--;
      const add = last === start ? ["", bullet] : [bullet];
      lines.splice(last + 1, 0, ...add);
      for (const h of headings) if (h.line > last) h.line += add.length;
    }
    added++;
  }
  if (added) {
    removeCrashedTemps(dirname(file), `${basename(file)}.`);
    writeFileAtomic(file, `${lines.join(parsed.eol)}${parsed.eol}`);
  }
}

/**
 * Temp files (`<name>.<pid>.<rand>.tmp`) older than a minute are leftovers of writers killed before
 * their rename: a live writer renames within milliseconds. Younger ones are left alone.
 */
function removeCrashedTemps(dir: string, prefix: string): void {
  let names: string[];
  try {
    names = readdirSync(dir);
  } catch {
    return;
  }
  for (const n of names) {
    if (!n.startsWith(prefix) || !n.endsWith(".tmp")) continue;
    const p = join(dir, n);
    try {
      if (Date.now() - statSync(p).mtimeMs > 60_000) unlinkSync(p);
    } catch {
      /* gone already */
    }
  }
}

/** Create the memory file with its short header if it does not exist yet (for `braid memory --edit`). */
export async function ensureMemoryFile(file: string, slug: string): Promise<void> {
  try {
    await withLock(
      file,
      () => {
        if (!readMemory(file).exists) writeFileAtomic(file, memoryTemplate(slug));
      },
      COORD_LOCK,
    );
  } catch (e) {
    if (e instanceof BraidError) throw e;
    throw coordFileError("write", "memory", file, e as NodeJS.ErrnoException);
  }
}
