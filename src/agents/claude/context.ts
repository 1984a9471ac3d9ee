/**
 * How full a Claude conversation's context window is: the prompt size of its latest response (input plus
 * cache-read and cache-write tokens of the last assistant message in the transcript) against the model's
 * window. Claude Code marks 1M-context models with a `[1m]` suffix (e.g. `claude-opus-4-8[1m]`); every
 * other model has the standard 200k window — except the default model of the pinned Claude Code, which the
 * transcript records without the suffix although it runs with the 1M window (below).
 */
import { closeSync, fstatSync, openSync, readSync, statSync } from "node:fs";
import { usageOfLine } from "./transcript.js";

const STANDARD_WINDOW = 200_000;
const LONG_WINDOW = 1_000_000;
/** From this share of the window on, braid flags the session (the guide: finish, save learnings, start fresh). */
export const CONTEXT_WARN_PERCENT = 85;

export interface ContextUse {
  /** Tokens the latest request sent (input + cache read + cache write). */
  used: number;
  window: number;
  /** used / window, as a whole percent (rounded down, so 85 means at least 85%). */
  percent: number;
  model: string;
}

/**
 * Models the transcript names without `[1m]` that Claude Code runs with the 1M window. Measured with 2.1.197:
 * its default model is written to the transcript as `claude-opus-4-8`, but its requests carry the
 * `context-1m` beta and its own `-p` result reports `claude-opus-4-8[1m]` with `contextWindow: 1000000`.
 */
const LONG_BY_DEFAULT = new Set(["claude-opus-4-8"]);

export function contextWindowFor(model: string): number {
  const m = model.trim();
  return /\[1m\]$/i.test(m) || LONG_BY_DEFAULT.has(m) ? LONG_WINDOW : STANDARD_WINDOW;
}

/** Bytes read from the end of the transcript first: the latest response sits at the end. */
const TAIL_BYTES = 512 * 1024;

/**
 * Visit a JSONL file's complete lines from the last to the first until `visit` returns a value; reads from the
 * end in growing windows, so a long transcript costs only its tail.
 */
export function findFromEnd<T>(path: string, visit: (line: string) => T | null): T | null {
  let fd: number;
  try {
    fd = openSync(path, "r");
  } catch {
    return null;
  }
  try {
    const size = fstatSync(fd).size;
    let checkedFrom = size; // lines starting at or after this offset were visited
    for (let span = Math.min(size, TAIL_BYTES); span > 0; span = Math.min(size, span * 4)) {
      const start = size - span;
      const buf = Buffer.alloc(span);
      const got = readSync(fd, buf, 0, span, start);
      const text = buf.subarray(0, got);
      // the first line may be cut by the window, unless the window starts at the file's beginning
      const first = start === 0 ? 0 : text.indexOf(10) + 1;
      const lines = text
        .subarray(first, checkedFrom - start)
        .toString("utf8")
        .split("\n");
      for (let i = lines.length - 1; i >= 0; i--) {
        const found = lines[i] ? visit(lines[i] as string) : null;
        if (found !== null) return found;
      }
      checkedFrom = start + first;
      if (start === 0) break;
    }
    return null;
  } finally {
    closeSync(fd);
  }
}

/** Last answer per transcript, by size and mtime: the board asks every few seconds, transcripts rarely change. */
const cache = new Map<string, { key: string; use: ContextUse | null }>();

/** The latest usage in a transcript, or null when it has none (yet). */
export function latestContextUse(transcript: string): ContextUse | null {
  let key: string;
  try {
    const st = statSync(transcript);
    key = `${st.ino}:${st.size}:${st.mtimeMs}`;
  } catch {
    return null;
  }
  const hit = cache.get(transcript);
  if (hit?.key === key) return hit.use;
  const use = readLatestUse(transcript);
  cache.set(transcript, { key, use });
  return use;
}

function readLatestUse(transcript: string): ContextUse | null {
  return findFromEnd(transcript, (line) => {
    const u = usageOfLine(line);
    if (!u) return null;
    const used = u.usage.input + u.usage.cacheRead + u.usage.cacheWrite;
    const window = contextWindowFor(u.model);
    return { used, window, percent: Math.floor((used * 100) / window), model: u.model };
  });
}
