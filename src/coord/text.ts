/**
 * Text rules shared by notes and memory: size caps, names, escaping of bytes that would break the
 * line-based file formats, and the normalization used to spot near-duplicate learnings.
 */
import { BraidError } from "../infra/errors.js";

/** Longest note text, in characters. Keeps each appended entry a few KiB (one write, quick to deliver). */
export const MAX_NOTE_CHARS = 4000;
/** Longest single learning, in characters: memory is read by every session at start. */
export const MAX_LEARNING_CHARS = 1000;

const NAME_RE = /^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$/;

/** Author/recipient names are single tokens so a note header can never be forged or misparsed. */
export function isValidName(name: string): boolean {
  return NAME_RE.test(name);
}

export function requireName(name: string, what: string): string {
  if (!isValidName(name)) {
    throw new BraidError(
      `${what} "${name.slice(0, 40)}" is not a valid name`,
      "use letters, digits, '.', '_' and '-' (at most 64), starting with a letter or digit",
    );
  }
  return name;
}

/** Trim surrounding blank lines/space; refuse empty or oversized text with a message saying what to do. */
export function checkText(raw: string, what: "note" | "learning", max: number): string {
  // Leading blank lines and trailing space go; indentation of the first line stays.
  const text = raw.replace(/^(?:[ \t]*\r?\n)+/, "").trimEnd();
  if (!text.trim()) {
    throw new BraidError(
      `the ${what} is empty`,
      `pass the text as an argument, e.g. braid ${what === "note" ? "note" : "learn"} "..."`,
    );
  }
  const n = [...text].length;
  if (n > max) {
    throw new BraidError(
      `the ${what} is ${n} characters long; the limit is ${max}`,
      "shorten it, or write the details to a file in the repo and mention its path",
    );
  }
  return text;
}

// Control characters other than tab and newline; DEL included.
// biome-ignore lint/suspicious/noControlCharactersInRegex: these are exactly the bytes being escaped
const CONTROL_RE = /[\x00-\x08\x0b-\x1f\x7f]/g;

function hex(c: string): string {
  return `\\x${c.charCodeAt(0).toString(16).padStart(2, "0")}`;
}

/** One line of note text → its stored form: backslashes doubled, control bytes as \xHH. Reversible. */
export function escapeLine(line: string): string {
  return line.replace(/\\/g, "\\\\").replace(CONTROL_RE, hex);
}

/** Inverse of escapeLine. Unknown escapes (hand-typed "\n" etc.) are kept as written. */
export function unescapeLine(line: string): string {
  return line.replace(/\\(\\|x[0-9a-fA-F]{2})/g, (_m, e: string) =>
    e === "\\" ? "\\" : String.fromCharCode(Number.parseInt(e.slice(1), 16)),
  );
}

/** A learning as one Markdown bullet line: newlines folded to spaces, control bytes shown as \xHH. */
export function toBulletText(text: string): string {
  return text
    .replace(/\r?\n/g, " ")
    .replace(CONTROL_RE, hex)
    .replace(/[ \t]+/g, " ")
    .trim();
}

/** Comparison key for "the same learning": case, spacing, emphasis marks and trailing punctuation ignored. */
export function normalizeLearning(text: string): string {
  return text
    .normalize("NFKC")
    .toLowerCase()
    .replace(/[*_`~]/g, "")
    .replace(/\s+/g, " ")
    .replace(/[\s.!;,:]+$/, "")
    .trim();
}

const SECTION_RE = /^[\p{L}\p{N}][\p{L}\p{N} _.&/'-]{0,39}$/u;

/** Section names become "## Name" headings: one short line of words, nothing Markdown would read as syntax. */
export function requireSection(name: string): string {
  const s = name.trim();
  if (!SECTION_RE.test(s)) {
    throw new BraidError(
      `section "${s.slice(0, 40)}" is not a valid section name`,
      "use up to 40 letters, digits, spaces and - _ . & / ' (e.g. Patterns, Decisions, Gotchas)",
    );
  }
  return s;
}
