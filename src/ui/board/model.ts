/** What the board shows, as plain data: filled by the data source, rendered by pure components. */
import type { SessionView } from "../../session/types.js";

export interface BoardNote {
  /** ISO time. */
  at: string;
  from: string;
  /** Recipient session, or null for everyone. */
  to: string | null;
  text: string;
  unread: boolean;
}

export interface BoardData {
  /** Project name shown in the header. */
  project: string;
  /** Sessions in cascade order (oldest first). */
  views: SessionView[];
  /** Cascade limit for implementation sessions (config max_code_sessions). */
  limit: number;
  /** One line of scaling advice, when known. */
  recommendation: string | null;
  notes: BoardNote[];
  /** Epoch ms of the last successful refresh of live state and of the git-derived figures. */
  liveAt: number;
  gitAt: number | null;
  /** A refresh problem to show in the footer (the board keeps the last good data). */
  error: string | null;
}

export type BoardMode = "main" | "conflicts" | "notes";

/** Inline prompt in progress (`n` new session, `s` send, `o` post a note). */
export interface PromptState {
  kind: "new" | "send" | "note";
  /** Field labels asked in turn, and the answers given so far. */
  fields: string[];
  answers: string[];
  /** Text typed for the current field. */
  value: string;
}

export interface QueueFigures {
  queued: number;
  running: number;
  limit: number;
}

const RUNNING = new Set(["starting", "working", "waiting", "idle"]);

/** Queue length and running implementation sessions vs the cascade limit. */
export function queueFigures(views: SessionView[], limit: number): QueueFigures {
  return {
    queued: views.filter((v) => v.state === "queued").length,
    running: views.filter((v) => v.type === "implementation" && RUNNING.has(v.state)).length,
    limit,
  };
}
