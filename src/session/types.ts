/**
 * The shape of one session as every view shows it (`braid status --json`, the board).
 * Stable contract: add fields, never rename or remove them.
 */
import type { SessionState, SessionType } from "../project/state.js";

export interface SessionView {
  order: number;
  name: string;
  type: SessionType;
  agent: string | null;
  state: SessionState;
  /** ISO time the state began. */
  since: string | null;
  /** Why the state is what it is, e.g. "permission prompt: Bash", "exit 1". */
  detail: string | null;
  runner: "tmux" | "headless" | null;
  branch: string;
  path: string;
  baseRef: string;
  ahead: number | null;
  behind: number | null;
  changedFiles: number | null;
  linesAdded: number | null;
  linesRemoved: number | null;
  /** Sessions this one would conflict with (names), filled in by the radar when known. */
  conflictsWith: string[];
  unreadNotes: number;
  tokens: { input: number; output: number; cacheRead: number; cacheWrite: number } | null;
  costUsd: number | null;
  /** Process-tree resources of the agent, when running. */
  cpuPercent: number | null;
  rssBytes: number | null;
  /** Position in the queue when state is `queued` (1 = next). */
  queuePosition: number | null;
  /** Optional fields (issue 3): absent in views built elsewhere. */
  /** `standard` or `swarm` (recorded by `braid start --mode`). */
  mode?: "standard" | "swarm" | null;
  /** The agent's own conversation id (Claude's session_id): for resume, fork, cost. */
  conversationId?: string | null;
  /** The agent's transcript file (Claude: JSONL with token usage), once a hook reported it. */
  transcriptPath?: string | null;
  /** Exit code of the last run, once it ended. */
  exitCode?: number | null;
  /** tmux `session:window` of the agent (runner tmux). */
  tmuxTarget?: string | null;
  /** Output log (runner headless). */
  logPath?: string | null;
  /** pid of the agent process (root of its process tree) while it runs. */
  pid?: number | null;
  /** Port slot and its ports (config `ports`), null when the session has none (issue 18). */
  slot?: number | null;
  ports?: number[];
  /** `[services.NAME]` of the session: state, URL (from `ready`), pid while running. */
  services?: Array<{
    name: string;
    state: string;
    url: string | null;
    pid: number | null;
    detail: string | null;
    logPath: string | null;
    restarts: number;
  }>;
}
