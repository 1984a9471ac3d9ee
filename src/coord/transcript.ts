/**
 * Candidate learnings from a Claude Code transcript: lines the agent itself marked "Learning:",
 * "Decision:", "Gotcha:" or "Pattern:" in its replies. No model calls, no guessing beyond that.
 */
import { existsSync, readdirSync, readFileSync, statSync } from "node:fs";
import { homedir } from "node:os";
import { join } from "node:path";
import { BraidError } from "../infra/errors.js";
import type { SessionRecord } from "../project/state.js";
import { MAX_LEARNING_CHARS } from "./text.js";

export interface Candidate {
  text: string;
  section: string;
}

const SECTION_OF: Record<string, string> = {
  learning: "Learnings",
  decision: "Decisions",
  gotcha: "Gotchas",
  pattern: "Patterns",
};
const MARK_RE =
  /^\s*(?:[-*+]\s+|\d+[.)]\s+)?(?:\*\*|__)?(learning|decision|gotcha|pattern)s?(?:\*\*|__)?\s*:\s*(?:\*\*|__)?\s*(.+)$/i;

/**
 * The transcript the session's hooks recorded (`recorded`, from its live state), else one recorded in
 * its ext data, else the newest one Claude keeps for its folder.
 */
export function findTranscript(session: SessionRecord, recorded?: string | null): string {
  for (const p of [recorded, recordedTranscript(session.ext)]) if (p && existsSync(p)) return p;
  const home = process.env.HOME || homedir();
  const dirs = [...new Set([session.path.replace(/\//g, "-"), session.path.replace(/[^A-Za-z0-9]/g, "-")])].map((d) =>
    join(home, ".claude", "projects", d),
  );
  let best: { path: string; mtime: number } | null = null;
  for (const dir of dirs) {
    let names: string[] = [];
    try {
      names = readdirSync(dir).filter((n) => n.endsWith(".jsonl"));
    } catch {
      continue;
    }
    for (const n of names) {
      const p = join(dir, n);
      const mtime = statSync(p).mtimeMs;
      if (!best || mtime > best.mtime) best = { path: p, mtime };
    }
  }
  if (!best) {
    throw new BraidError(
      `no Claude transcript found for session "${session.name}"`,
      `looked in ${dirs[0]}; the session must have run Claude Code at least once`,
    );
  }
  return best.path;
}

/** Any module's `transcriptPath` / `transcript_path` in the session's ext data (the hooks record it). */
function recordedTranscript(ext: object | undefined): string | null {
  if (!ext) return null;
  for (const v of [ext, ...Object.values(ext as Record<string, unknown>)]) {
    if (!v || typeof v !== "object") continue;
    const o = v as Record<string, unknown>;
    const p = o.transcriptPath ?? o.transcript_path;
    if (typeof p === "string" && p) return p;
  }
  return null;
}

/** Text blocks of the assistant's messages, in order. Damaged lines are skipped. */
function assistantTexts(jsonl: string): string[] {
  const out: string[] = [];
  const seen = new Set<string>();
  for (const line of jsonl.split("\n")) {
    if (!line.trim()) continue;
    let rec: { type?: string; message?: { id?: string; role?: string; content?: unknown } };
    try {
      rec = JSON.parse(line);
    } catch {
      continue;
    }
    const msg = rec.message;
    if (rec.type !== "assistant" && msg?.role !== "assistant") continue;
    const content = msg?.content;
    const blocks =
      typeof content === "string" ? [{ type: "text", text: content }] : Array.isArray(content) ? content : [];
    for (const b of blocks as Array<{ type?: string; text?: unknown }>) {
      if (b?.type !== "text" || typeof b.text !== "string") continue;
      // One response can be written on several lines: count each text block once.
      const key = `${msg?.id ?? ""}\0${b.text}`;
      if (seen.has(key)) continue;
      seen.add(key);
      out.push(b.text);
    }
  }
  return out;
}

export function extractCandidates(jsonl: string): Candidate[] {
  const out: Candidate[] = [];
  const keys = new Set<string>();
  for (const text of assistantTexts(jsonl)) {
    for (const line of text.split(/\r?\n/)) {
      const m = MARK_RE.exec(line);
      if (!m) continue;
      const body = (m[2] ?? "").replace(/(\*\*|__)\s*$/, "").trim();
      if (!body || [...body].length > MAX_LEARNING_CHARS) continue;
      const section = SECTION_OF[(m[1] ?? "").toLowerCase()] ?? "Learnings";
      const key = `${section}\0${body.toLowerCase()}`;
      if (keys.has(key)) continue;
      keys.add(key);
      out.push({ text: body, section });
    }
  }
  return out;
}

export function readCandidates(path: string): Candidate[] {
  let text: string;
  try {
    text = readFileSync(path, "utf8");
  } catch (e) {
    throw new BraidError(
      `cannot read transcript ${path}: ${(e as Error).message}`,
      "check the file exists and is readable",
    );
  }
  return extractCandidates(text);
}
