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
import { readdirSync, readFileSync, statSync, unlinkSync } from "node:fs";
import { basename, dirname, join } from "node:path";
import { BraidError } from "../errors.js";
import { withLock, writeFileAtomic } from "../fsutil.js";
import { COORD_LOCK } from "./paths.js";
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
    throw ioError("read", file, err);
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

/** Add learnings under the lock (read, dedupe, insert, atomic rewrite). */
export async function addLearnings(
  file: string,
  slug: string,
  items: NewLearning[],
  now: Date = new Date(),
): Promise<LearnResult> {
  for (const i of items) if (i.section) requireSection(i.section);
  for (const i of items) if (i.from) requireName(i.from, "learning source");
  try {
    return await withLock(file, () => addLocked(file, slug, items, now), COORD_LOCK);
  } catch (e) {
    if (e instanceof BraidError) throw e;
    throw ioError("write", file, e as NodeJS.ErrnoException);
  }
}

function addLocked(file: string, slug: string, items: NewLearning[], now: Date): LearnResult {
  const view = readMemory(file);
  removeCrashedTemps(file);
  const parsed = parseMemory(view.exists ? view.text : memoryTemplate(slug));
  const seen = new Set(parsed.sections.flatMap((s) => s.items.map((i) => normalizeLearning(i.text))));
  const result: LearnResult = { added: [], duplicates: [] };
  const { lines } = parsed;
  if (parsed.openFence) lines.push("```");
  let headings = parsed.openFence ? parseMemory(lines.join("\n")).headings : parsed.headings;
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
    const bullet = `- ${text} _(${date}${item.from ? `, from ${item.from}` : ""})_`;
    const at = headings.findIndex((h) => sectionKey(h.name) === sectionKey(section));
    if (at === -1) {
      while (lines.length && lines[lines.length - 1]?.trim() === "") lines.pop();
      if (lines.length) lines.push("");
      lines.push(`## ${section}`, "", bullet);
    } else {
      const start = headings[at]?.line ?? 0;
      const end = headings[at + 1]?.line ?? lines.length;
      let last = end - 1;
      while (last > start && lines[last]?.trim() === "") last--;
      const insert = last === start ? [start + 1, ["", bullet]] : [last + 1, [bullet]];
      lines.splice(insert[0] as number, 0, ...(insert[1] as string[]));
    }
    headings = parseMemory(lines.join("\n")).headings;
    result.added.push({ text, section });
  }
  if (result.added.length) writeFileAtomic(file, `${lines.join(parsed.eol)}${parsed.eol}`);
  return result;
}

/**
 * While we hold the lock no other braid writer is mid-write, so temp files next to the memory file
 * are leftovers of writers killed before their rename. Old ones are removed (young ones may belong
 * to a writer whose lock was taken over as stale; they are left alone).
 */
function removeCrashedTemps(file: string): void {
  const dir = dirname(file);
  const prefix = `${basename(file)}.`;
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

function ioError(op: "read" | "write", file: string, err: NodeJS.ErrnoException): BraidError {
  const why = err.code === "EACCES" || err.code === "EPERM" || err.code === "EROFS" ? "permission denied" : err.message;
  return new BraidError(
    `cannot ${op} memory file ${file}: ${why}`,
    `check the permissions of ${dirname(file)}, or point BRAID_WORKFLOWS_DIR at a writable folder`,
  );
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
    throw ioError("write", file, e as NodeJS.ErrnoException);
  }
}
