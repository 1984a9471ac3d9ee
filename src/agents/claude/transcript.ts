/**
 * Token usage from a Claude Code transcript (JSONL, one event per line), read incrementally.
 *
 * Claude writes one line per content block of a response, each carrying the same `message.id` and a copy of
 * the response's `usage`, so usage is counted once per message id. A cursor remembers the byte offset already
 * read and the usage counted for the most recent ids (a later line of the same response may carry a larger
 * output count, so it replaces, never adds). A half-written last line is left for the next read.
 */
import { closeSync, type Dirent, existsSync, fstatSync, openSync, readdirSync, readSync } from "node:fs";
import { homedir } from "node:os";
import { join } from "node:path";

export interface TokenCounts {
  input: number;
  output: number;
  cacheRead: number;
  cacheWrite: number;
}

export interface TranscriptCursor {
  /** Bytes of the file already consumed (always at a line boundary). */
  offset: number;
  /** Device+inode of the file the offset belongs to: a replaced file is read again from the start. */
  fileId: string;
  /** Counted usage per model. */
  byModel: Record<string, TokenCounts>;
  /** Usage counted for the latest message ids (bounded), so a repeated id replaces its earlier count. */
  recent: Array<{ id: string; model: string; usage: TokenCounts }>;
}

/** How many message ids to remember for de-duplication: a response's lines sit close together. */
const RECENT_IDS = 64;
/** Read at most this much per call so a huge transcript never blocks the board for long. */
const MAX_READ_BYTES = 64 * 1024 * 1024;

export function emptyCounts(): TokenCounts {
  return { input: 0, output: 0, cacheRead: 0, cacheWrite: 0 };
}

export function emptyCursor(): TranscriptCursor {
  return { offset: 0, fileId: "", byModel: {}, recent: [] };
}

export function addCounts(a: TokenCounts, b: TokenCounts, sign = 1): TokenCounts {
  return {
    input: a.input + sign * b.input,
    output: a.output + sign * b.output,
    cacheRead: a.cacheRead + sign * b.cacheRead,
    cacheWrite: a.cacheWrite + sign * b.cacheWrite,
  };
}

export function totalCounts(byModel: Record<string, TokenCounts>): TokenCounts {
  return Object.values(byModel).reduce((acc, c) => addCounts(acc, c), emptyCounts());
}

/** The usage an assistant line carries, or null for any other line. */
export function usageOfLine(line: string): { id: string; model: string; usage: TokenCounts } | null {
  if (!line.includes('"usage"')) return null;
  let d: unknown;
  try {
    d = JSON.parse(line);
  } catch {
    return null;
  }
  const ev = d as { type?: unknown; message?: { id?: unknown; model?: unknown; usage?: Record<string, unknown> } };
  if (ev?.type !== "assistant" || !ev.message || typeof ev.message !== "object") return null;
  const { id, model, usage } = ev.message;
  if (typeof id !== "string" || !usage || typeof usage !== "object") return null;
  // "<synthetic>" marks messages Claude Code made up locally (errors, interrupts): no API call, no cost.
  if (model === "<synthetic>") return null;
  const n = (v: unknown) => (typeof v === "number" && Number.isFinite(v) && v > 0 ? v : 0);
  return {
    id,
    model: typeof model === "string" && model ? model : "unknown",
    usage: {
      input: n(usage.input_tokens),
      output: n(usage.output_tokens),
      cacheRead: n(usage.cache_read_input_tokens),
      cacheWrite: n(usage.cache_creation_input_tokens),
    },
  };
}

function maxCounts(a: TokenCounts, b: TokenCounts): TokenCounts {
  return {
    input: Math.max(a.input, b.input),
    output: Math.max(a.output, b.output),
    cacheRead: Math.max(a.cacheRead, b.cacheRead),
    cacheWrite: Math.max(a.cacheWrite, b.cacheWrite),
  };
}

/** Count one line's usage into the cursor (mutates it). */
export function countLine(cursor: TranscriptCursor, line: string): void {
  const u = usageOfLine(line);
  if (!u) return;
  const seen = cursor.recent.find((r) => r.id === u.id);
  const before = seen?.usage ?? emptyCounts();
  const after = maxCounts(before, u.usage);
  const model = seen?.model ?? u.model;
  const current = cursor.byModel[model] ?? emptyCounts();
  cursor.byModel[model] = addCounts(addCounts(current, before, -1), after);
  if (seen) seen.usage = after;
  else {
    cursor.recent.push({ id: u.id, model, usage: after });
    if (cursor.recent.length > RECENT_IDS) cursor.recent.splice(0, cursor.recent.length - RECENT_IDS);
  }
}

/**
 * Read what was appended to `path` since `cursor` and return the advanced cursor (the input is not changed).
 * A missing or unreadable file returns the cursor unchanged.
 */
export function readTranscript(path: string, cursor: TranscriptCursor = emptyCursor()): TranscriptCursor {
  let fd: number;
  try {
    fd = openSync(path, "r");
  } catch {
    return cursor;
  }
  try {
    const st = fstatSync(fd);
    const fileId = `${st.dev}:${st.ino}`;
    let next: TranscriptCursor = structuredClone(cursor);
    if (next.fileId !== fileId || st.size < next.offset) next = { ...emptyCursor(), fileId };
    const length = Math.min(st.size - next.offset, MAX_READ_BYTES);
    if (length <= 0) return next;
    const buf = Buffer.alloc(length);
    const got = readSync(fd, buf, 0, length, next.offset);
    const end = buf.lastIndexOf(0x0a, got - 1);
    if (end < 0) return next; // no complete line yet
    for (const line of buf.subarray(0, end).toString("utf8").split("\n")) if (line) countLine(next, line);
    next.offset += end + 1;
    return next;
  } finally {
    closeSync(fd);
  }
}

/** Claude Code's folder name for a working directory: every character but [A-Za-z0-9] becomes "-". */
export function projectFolderName(cwd: string): string {
  return cwd.replace(/[^A-Za-z0-9]/g, "-");
}

/** Claude Code's config dir: $CLAUDE_CONFIG_DIR, else ~/.claude. */
export function claudeDir(): string {
  return process.env.CLAUDE_CONFIG_DIR || join(process.env.HOME || homedir(), ".claude");
}

/** Transcript files for a worktree: <claude>/projects/<folder>/*.jsonl and sub-agent runs under <id>/subagents/. */
export function transcriptFiles(worktreePath: string, extra: string[] = []): string[] {
  const dir = join(claudeDir(), "projects", projectFolderName(worktreePath));
  const files = new Set<string>(extra.filter((f) => existsSync(f)));
  let entries: Dirent[] = [];
  try {
    entries = readdirSync(dir, { withFileTypes: true });
  } catch {
    return [...files];
  }
  for (const e of entries) {
    if (e.isFile() && e.name.endsWith(".jsonl")) files.add(join(dir, e.name));
    else if (e.isDirectory()) {
      const sub = join(dir, e.name, "subagents");
      try {
        for (const f of readdirSync(sub)) if (f.endsWith(".jsonl")) files.add(join(sub, f));
      } catch {
        /* no sub-agents */
      }
    }
  }
  return [...files].sort();
}
