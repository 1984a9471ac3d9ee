/**
 * Tool calls the agent was refused. Claude in `-p` mode cannot ask, so every call its permission mode does not
 * allow is denied and listed in the run's final `result` event (`permission_denials`); a run that was refused
 * every Write still exits 0, so status must say so instead of reporting a silent success.
 */
import { readTail } from "../infra/tail.js";

/** The result event is the log's last line; read only the end of a possibly long log. */
const TAIL_BYTES = 256 * 1024;

/** Denied tool calls in a headless Claude log (stream-json or json output); null when it has no result yet. */
export function deniedToolCalls(logPath: string | null | undefined): number | null {
  if (!logPath) return null;
  const lines = readTail(logPath, TAIL_BYTES).split("\n");
  for (let i = lines.length - 1; i >= 0; i--) {
    const line = (lines[i] ?? "").trim();
    if (!line.startsWith("{") || !line.includes('"result"')) continue;
    try {
      const ev = JSON.parse(line) as { type?: string; permission_denials?: unknown };
      if (ev.type !== "result") continue;
      return Array.isArray(ev.permission_denials) ? ev.permission_denials.length : 0;
    } catch {
      /* a half-written or foreign line */
    }
  }
  return null;
}

/** "1 tool call denied", "2 tool calls denied". */
export function deniedText(n: number): string {
  return `${n} tool call${n === 1 ? "" : "s"} denied`;
}
