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
  /** `unreachable`: a remote session whose host does not answer (views only, never recorded). */
  state: SessionState | "unreachable";
  /** ISO time the state began. */
  since: string | null;
  /** Why the state is what it is, e.g. "permission prompt: Bash", "exit 1". */
  detail: string | null;
  runner: "tmux" | "headless" | "remote" | null;
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
  /** The host a remote session runs on (braid start --host); null/absent for local sessions. */
  host?: string | null;
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
  /** The run's output file: headless output, or the tmux pane's text saved at exit (`braid logs`). */
  logPath?: string | null;
  /** pid of the agent process (root of its process tree) while it runs. */
  pid?: number | null;
  /** The agent runs in the bubblewrap sandbox (`sandbox` setting, `start --sandbox`). */
  sandboxed?: boolean;
  /** Files with uncommitted changes in the worktree (untracked included): work `merge` cannot take yet. */
  uncommittedFiles?: number | null;
  /** Tool calls the agent was refused in its last run (headless Claude: `permission_denials`); null if unknown. */
  deniedToolCalls?: number | null;
  /** Claude sessions: tokens the latest request sent (input + cache), the model's window, and the share used. */
  contextUsed?: number | null;
  contextWindow?: number | null;
  /** Whole percent, rounded down; from CONTEXT_WARN_PERCENT (85) on, views flag it. */
  contextPercent?: number | null;
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
