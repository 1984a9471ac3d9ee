/**
 * The agent's last output, kept for every runner in `<launchDir>/output.log`: headless stdout+stderr, or
 * the tmux pane's text saved by the exec wrapper when the agent exits. Pure readers: no tmux here.
 */
import { join } from "node:path";
import { readTail } from "../infra/tail.js";
import { launchDir } from "./paths.js";

export function outputFile(stateDir: string, name: string, runId: string): string {
  return join(launchDir(stateDir, name, runId), "output.log");
}

export function readOutput(stateDir: string, name: string, runId: string): string {
  return readTail(outputFile(stateDir, name, runId));
}

// biome-ignore lint/suspicious/noControlCharactersInRegex: terminal escape sequences are control characters
const ANSI = /\x1b\[[0-9;?]*[ -/]*[@-~]|\x1b\][^\x07\x1b]*(?:\x07|\x1b\\)|\x1b[()][0-9A-Za-z]|\x1b[=>NOM78c]/g;

/** A JSON output line (Claude's stream-json) as the text a person would read, else the line itself. */
function readable(line: string): string {
  if (!line.startsWith("{")) return line;
  try {
    const j = JSON.parse(line) as Record<string, unknown>;
    if (typeof j.result === "string") return j.result;
    if (typeof j.error === "string") return j.error;
    const msg = j.message as { content?: { type?: string; text?: string }[] } | undefined;
    const text = msg?.content?.find((c) => c.type === "text" && c.text)?.text;
    return text ?? "";
  } catch {
    return line;
  }
}

/** Output as a person reads it: escape sequences gone, JSON lines as their text, trailing blank lines dropped. */
export function logLines(text: string): string[] {
  const lines = text
    .replace(ANSI, "")
    .replace(/\r/g, "")
    .split("\n")
    .flatMap((l) => (l.startsWith("{") ? readable(l).split("\n") : [l.replace(/\s+$/, "")]));
  while (lines.length && lines[lines.length - 1] === "") lines.pop();
  return lines;
}

/** Output as plain lines: escape sequences gone, JSON lines as their text, blank and frame-only lines dropped. */
function plainLines(text: string): string[] {
  return text
    .replace(ANSI, "")
    .replace(/\r/g, "")
    .split("\n")
    .map((l) => readable(l.replace(/\u00a0/g, " ").trim()))
    .flatMap((l) => l.split("\n"))
    .map((l) => l.trim())
    .filter((l) => l !== "" && /[\p{L}\p{N}]/u.test(l));
}

const TROUBLE =
  /error|unable|fail|cannot|can't|could not|not found|denied|invalid|refused|unauthori[sz]ed|forbidden|ENOENT|ECONN|ENOTFOUND|timed? ?out|panic|exception/i;

/** The line that says why: the first one that reads like trouble, else the last one; null without output. */
export function firstUsefulLine(text: string, max = 120): string | null {
  const lines = plainLines(text);
  const pick = lines.find((l) => TROUBLE.test(l)) ?? lines[lines.length - 1];
  if (!pick) return null;
  const one = pick.replace(/\s+/g, " ");
  return one.length > max ? `${one.slice(0, max - 1)}…` : one;
}
