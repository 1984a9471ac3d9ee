/**
 * Where a session's agent runs, as one interface. Each runner (tmux-runner.ts: a window on a tmux server;
 * headless-runner.ts: a detached process; sandboxed.ts wraps either in bubblewrap) implements `Runner`, and
 * code above this layer asks `runnerFor(run)` (runners.ts) instead of branching on the kind. Every runner
 * starts the agent through the exec wrapper (wrapper.ts), so agent.pid, exit.json and output.log mean the
 * same whichever runner ran it.
 * Every method is async and a look may come back `unreachable`, so a runner whose sessions live on another
 * machine fits the same interface; `attach` returns the argv to exec rather than running it.
 */
import type { ProjectContext } from "../project/context.js";
import type { SessionRecord } from "../project/state.js";
import type { SessionRuntime } from "./run.js";

export type RunnerKind = SessionRuntime["runner"];

/** One recorded run, as a runner is asked about it. */
export interface RunRef {
  ctx: ProjectContext;
  /** The session's name. */
  name: string;
  rt: SessionRuntime;
}

/** Everything a runner needs to start one run. */
export interface LaunchSpec {
  ctx: ProjectContext;
  rec: SessionRecord;
  runId: string;
  /** The run's launch dir (`<state>/run/<name>/<runId>/`), already made. */
  dir: string;
  /** The agent's argv; the runner runs it through the exec wrapper. */
  argv: string[];
  /** The agent's whole environment (handed to the wrapper in a 0600 file, never on a command line). */
  env: Record<string, string>;
  /** The variables the agent's adapter set itself (a sandbox keeps them when it trims the rest). */
  agentEnvKeys: string[];
  /** The agent's own files under $HOME (a sandbox binds them writable). */
  agentStatePaths: string[];
  /** Where the run's output is kept. */
  logPath: string;
}

/** Where a launch put the run: merged into the recorded SessionRuntime. */
export type RunPlacement = Pick<SessionRuntime, "tmux" | "wrapperPid">;

/** How a run ended, as recorded in the registry. */
export interface EndedRun {
  status: "done" | "failed" | "stopped" | "lost";
  exitCode: number | null;
  detail: string;
}

/** What one look at a run found. */
export type RunLook =
  | {
      kind: "running";
      /** The agent process answers (for agents without hooks: "working"). */
      agentAlive: boolean;
      /** Its pid on this machine while alive (CPU/RSS are sampled from it), else null. */
      agentPid: number | null;
      /** The agent's visible screen, when asked for (`screens`) and the runner has one. */
      screen?: string;
    }
  /** Cannot tell yet (tmux flags a pane dead a moment before it has the exit status): ask again later. */
  | { kind: "pending" }
  | { kind: "ended"; end: EndedRun }
  /** The place the run lives does not answer (a remote host): nothing can be said, so nothing is recorded. */
  | { kind: "unreachable"; detail: string };

export interface LookOptions {
  /** Also read each running agent's screen (for the screen detectors). */
  screens?: boolean;
}

/** A terminal attach: the program to exec, attached to this terminal. */
export interface AttachPlan {
  argv: string[];
  /** Variables to drop from braid's environment for that program. */
  unsetEnv: string[];
  /** Switching this terminal's own client over (returns at once) rather than a new client. */
  inside: boolean;
  /** What it attaches to, for people ("braid-app:auth"). */
  target: string;
}

/** Where an agent that outlived its record really runs (braid doctor re-adopts it). */
export type Relocated = { found: true; patch: Partial<SessionRuntime>; where: string } | { found: false; why: string };

export interface Runner {
  readonly kind: RunnerKind;
  /** Whether a terminal can attach to its runs (`braid attach`). */
  readonly attachable: boolean;
  /** Throw a BraidError when this runner cannot work here (its program missing), before anything is made. */
  preflight(): void;
  /** Start the run; resolves once the agent process exists, throws a BraidError with its first words if not. */
  launch(spec: LaunchSpec): Promise<RunPlacement>;
  /** Look at many runs at once (one call per server or host), keyed by session name. */
  look(runs: RunRef[], o?: LookOptions): Promise<Map<string, RunLook>>;
  /** Ask the agent to exit (TERM, then KILL after a grace period) and close what held it. Idempotent. */
  stop(run: RunRef): Promise<void>;
  /** Wait until the run's processes are gone (after stop); throw a BraidError naming them if they stay. */
  waitGone(run: RunRef): Promise<void>;
  /** The agent's live screen with up to `lines` lines of history, or null when there is none to read. */
  capture(run: RunRef, lines: number): Promise<string | null>;
  /** Type text literally into the agent, then Enter; a BraidError when the run has no terminal. */
  sendText(run: RunRef, text: string): Promise<void>;
  /** How to attach this terminal to the run; a BraidError when it cannot be attached to. */
  attach(run: RunRef): Promise<AttachPlan>;
  /** Find where a run whose agent (pid `agentPid`) outlived its record really is. */
  relocate(run: RunRef, agentPid: number): Promise<Relocated>;
}
