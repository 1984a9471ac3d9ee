/**
 * What braid remembers about a session's agent run, stored in the registry under `ext.session`
 * (the registry's free-form slot for modules), plus readers for the files the run leaves behind.
 */
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { hasField, readJsonFile } from "../infra/json.js";
import type { SessionRecord } from "../project/state.js";
import { launchDir } from "./paths.js";

export type SessionMode = "standard" | "swarm";

export interface SessionRuntime {
  /** `remote`: the host's braid runs it (braid start --host; remote-runner.ts). */
  runner: "tmux" | "headless" | "remote";
  agent: string;
  mode: SessionMode;
  /** Changes with every launch; names the launch directory. */
  runId: string;
  /** The agent's conversation id chosen by braid (claude --session-id), or learned from hooks. */
  conversationId: string | null;
  transcriptPath: string | null;
  /** Whether the agent reports state through braid hooks. */
  hooks: boolean;
  /** tmux location (runner tmux). */
  tmux: TmuxLocation | null;
  /** pid of the exec wrapper (runner headless). */
  wrapperPid: number | null;
  /** The agent's output: headless stdout+stderr, or the tmux pane's text saved by the wrapper at exit. */
  logPath: string | null;
  /** ISO time of the launch. */
  launchedAt: string;
  /** Last exit code, once the run ended. */
  exitCode: number | null;
  /** Why the last state is what it is (launch error, exit code, "stopped by user"). */
  detail: string | null;
  /** Options to reuse on restart. */
  headless: boolean;
  readOnly: boolean;
  /** The agent runs in the bubblewrap sandbox (absent in records of older braid versions: false). */
  sandboxed?: boolean;
}

declare module "../project/state.js" {
  interface SessionExt {
    /** The agent run (this module). */
    session?: SessionRuntime;
    /** The conversation id and transcript again, for older readers (written together with `session`). */
    claude?: { sessionId: string | null; transcriptPath: string | null };
  }
}

/** The run recorded for `rec`, if its slot has the shape of one. */
/** Where a tmux session's agent runs. The server (socket path + pid) is the identity, not the pane id alone. */
export interface TmuxLocation {
  /** `-L` name the launch used ("" = $TMUX's server or the default). */
  socket: string;
  /** The server's socket path (`#{socket_path}`); absent in records from before it was kept: the default server. */
  socketPath?: string;
  /** The server's pid at launch: a server started anew at the same path reuses pane ids. */
  serverPid?: number | null;
  session: string;
  window: string;
  paneId: string;
}

export function runtimeOf(rec: SessionRecord): SessionRuntime | null {
  const r = rec.ext?.session;
  return r && typeof r === "object" && typeof r.runId === "string" && typeof r.runner === "string" ? r : null;
}

export interface ExitInfo {
  code: number | null;
  signal: string | null;
  error: string | null;
  at: string;
  /** The wrapper got SIGHUP: its terminal went away (window closed or tmux server killed). */
  hup?: boolean;
}

const isExitInfo = hasField<ExitInfo>("at", "string");

export function readExit(stateDir: string, name: string, runId: string): ExitInfo | null {
  return readJsonFile(join(launchDir(stateDir, name, runId), "exit.json"), isExitInfo);
}

export function readAgentPid(stateDir: string, name: string, runId: string): number | null {
  try {
    const n = Number(readFileSync(join(launchDir(stateDir, name, runId), "agent.pid"), "utf8").trim());
    return Number.isInteger(n) && n > 0 ? n : null;
  } catch {
    return null;
  }
}
