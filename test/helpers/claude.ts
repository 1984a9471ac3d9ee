/**
 * Driving the real Claude Code CLI (devDependency @anthropic-ai/claude-code) offline against the model stub:
 * its environment, a pre-seeded ~/.claude.json that skips first-run screens, `claude -p` runs, and a private
 * tmux server for interactive sessions.
 */
import { spawnSync } from "node:child_process";
import { existsSync, mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { delimiter, join } from "node:path";
import { pidAlive } from "../../src/infra/process.js";
import { REPO_ROOT, runProcess, type Sandbox } from "./env.js";

export const CLAUDE_BIN = join(REPO_ROOT, "node_modules", ".bin", "claude");
export const CLAUDE_VERSION = "2.1.197";
/** A dummy key; its last 20 characters are pre-approved by prepareClaudeHome. */
export const STUB_API_KEY = "sk-ant-api03-braid-test-key-0123456789abcdefghijklmnopqrst";

/** True when the Claude Code binary is installed (tests skip with a clear reason otherwise). */
export function claudeAvailable(): boolean {
  return existsSync(CLAUDE_BIN);
}

/** Environment for a Claude process: the sandbox's, pointed at the stub, offline and quiet. */
export function claudeEnv(sb: Sandbox, stubUrl: string, apiKey = STUB_API_KEY): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = {
    ...sb.env,
    HOME: sb.home,
    ANTHROPIC_BASE_URL: stubUrl,
    ANTHROPIC_API_KEY: apiKey,
    DISABLE_AUTOUPDATER: "1",
    CLAUDE_CODE_DISABLE_NONESSENTIAL_TRAFFIC: "1",
    DISABLE_TELEMETRY: "1",
    DISABLE_ERROR_REPORTING: "1",
    DISABLE_BUG_COMMAND: "1",
    CLAUDE_CODE_DISABLE_TERMINAL_TITLE: "1",
    CLAUDE_CODE_IDE_SKIP_AUTO_INSTALL: "1",
    // Claude Code refuses --dangerously-skip-permissions as root unless sandboxed; tests never use it anyway.
    TERM: "xterm-256color",
  };
  // Never leak the developer's real credentials or config into a test.
  for (const k of [
    "ANTHROPIC_AUTH_TOKEN",
    "CLAUDE_CODE_OAUTH_TOKEN",
    "CLAUDE_CONFIG_DIR",
    "CLAUDE_CODE_USE_BEDROCK",
    "CLAUDE_CODE_USE_VERTEX",
    "ANTHROPIC_MODEL",
    "ANTHROPIC_SMALL_FAST_MODEL",
    "CLAUDECODE",
    "CLAUDE_CODE_ENTRYPOINT",
    "CLAUDE_CODE_SSE_PORT",
  ])
    delete env[k];
  return env;
}

/**
 * Environment for braid commands that start Claude themselves (swarm, fork, plan --apply): claudeEnv pointed
 * at the stub, a prepared ~/.claude.json, BRAID_CLAUDE_BIN set and `claude` on PATH.
 */
export function braidClaudeEnv(sb: Sandbox, stubUrl: string): NodeJS.ProcessEnv {
  prepareClaudeHome(sb.home);
  const bin = join(REPO_ROOT, "node_modules", ".bin");
  return {
    ...claudeEnv(sb, stubUrl),
    BRAID_CLAUDE_BIN: CLAUDE_BIN,
    PATH: `${bin}${delimiter}${process.env.PATH ?? ""}`,
  };
}

export interface ClaudeHomeOptions {
  apiKey?: string;
  /** Folders whose trust dialog counts as accepted (absolute paths, e.g. worktrees). */
  trustedPaths?: string[];
  /** Extra top-level keys merged into ~/.claude.json. */
  extra?: Record<string, unknown>;
}

/**
 * Write `<home>/.claude.json` so interactive Claude goes straight to its prompt: onboarding done, the
 * custom API key approved, the given folders trusted. Merges with an existing file (call again to trust
 * more paths).
 */
export function prepareClaudeHome(home: string, opts: ClaudeHomeOptions = {}): void {
  const file = join(home, ".claude.json");
  // biome-ignore lint/suspicious/noExplicitAny: ~/.claude.json is Claude's own free-form file
  const cfg: any = existsSync(file) ? JSON.parse(readFileSync(file, "utf8")) : {};
  const key = opts.apiKey ?? STUB_API_KEY;
  cfg.hasCompletedOnboarding = true;
  cfg.lastOnboardingVersion = CLAUDE_VERSION;
  cfg.numStartups = Math.max(Number(cfg.numStartups ?? 0), 1);
  cfg.autoUpdates = false;
  cfg.hasSeenTasksHint = true;
  cfg.bypassPermissionsModeAccepted = false;
  const approved: string[] = cfg.customApiKeyResponses?.approved ?? [];
  const suffix = key.slice(-20);
  if (!approved.includes(suffix)) approved.push(suffix);
  cfg.customApiKeyResponses = { approved, rejected: cfg.customApiKeyResponses?.rejected ?? [] };
  cfg.projects ??= {};
  for (const p of opts.trustedPaths ?? []) {
    cfg.projects[p] = {
      allowedTools: [],
      hasTrustDialogAccepted: true,
      hasCompletedProjectOnboarding: true,
      projectOnboardingSeenCount: 1,
      ...cfg.projects[p],
      // Spread first, then force: a test that trusts a path means it.
    };
    cfg.projects[p].hasTrustDialogAccepted = true;
  }
  Object.assign(cfg, opts.extra ?? {});
  mkdirSync(home, { recursive: true });
  writeFileSync(file, `${JSON.stringify(cfg, null, 2)}\n`);
}

/** `--settings` JSON that runs `command` (a shell command line) for each of the given hook events. */
export function hookSettings(events: string[], command: (event: string) => string): string {
  const hooks: Record<string, unknown> = {};
  for (const ev of events) hooks[ev] = [{ matcher: "", hooks: [{ type: "command", command: command(ev) }] }];
  return JSON.stringify({ hooks });
}

/**
 * Where Claude writes a session's transcript: `~/.claude/projects/<cwd, non-alphanumerics as "-">/<id>.jsonl`.
 * Prefer the `transcript_path` a hook reports; this is for tests that have no hook.
 */
export function transcriptPath(home: string, cwd: string, sessionId: string): string {
  return join(home, ".claude", "projects", cwd.replace(/[^a-zA-Z0-9]/g, "-"), `${sessionId}.jsonl`);
}

export interface ClaudeRun {
  code: number;
  stdout: string;
  stderr: string;
  ms: number;
}

/** Run `claude <args>` (typically `-p …`) to completion. */
export function runClaude(
  cwd: string,
  env: NodeJS.ProcessEnv,
  args: string[],
  opts: { timeoutMs?: number } = {},
): Promise<ClaudeRun> {
  return runProcess(CLAUDE_BIN, args, { cwd, env, timeoutMs: opts.timeoutMs ?? 120_000 });
}

let socketCounter = 0;

/**
 * A private tmux server for one test: unique `-L` socket inside the sandbox's TMUX_TMPDIR. `kill()` ends
 * only this server; the user's default server is never touched.
 */
export class TmuxTestServer {
  readonly socket: string;
  readonly env: NodeJS.ProcessEnv;

  /** `socket`: wrap an existing server by its -L name (e.g. one braid started) instead of a fresh name. */
  constructor(sb: Sandbox, name = "t", opts: { socket?: string } = {}) {
    this.socket = opts.socket ?? `braid-${name}-${process.pid}-${++socketCounter}`;
    this.env = { ...sb.env };
    delete this.env.TMUX;
    delete this.env.TMUX_PANE;
  }

  /** Run tmux on this server; throws with tmux's stderr on failure. */
  tmux(...args: string[]): string {
    const r = spawnSync("tmux", ["-L", this.socket, ...args], { env: this.env, encoding: "utf8" });
    if (r.status !== 0) throw new Error(`tmux ${args.join(" ")} failed (${r.status}): ${r.stderr.trim()}`);
    return r.stdout;
  }

  /**
   * New detached session running `argv` (exec'd without a shell) in `cwd` with `env` set in the window.
   * Returns the pane id (e.g. "%0") to use as a target.
   */
  newSession(
    session: string,
    cwd: string,
    argv: string[],
    opts: { env?: NodeJS.ProcessEnv; width?: number; height?: number } = {},
  ): string {
    const envArgs: string[] = [];
    for (const [k, v] of Object.entries(opts.env ?? {})) if (v !== undefined) envArgs.push("-e", `${k}=${v}`);
    const out = this.tmux(
      "new-session",
      "-d",
      "-P",
      "-F",
      "#{pane_id}",
      "-s",
      session,
      "-x",
      String(opts.width ?? 120),
      "-y",
      String(opts.height ?? 40),
      "-c",
      cwd,
      ...envArgs,
      ...argv,
    );
    const pane = out.trim();
    // Claude nags about focus events when tmux does not forward them; keep test screens free of that line.
    this.tmux("set-option", "-g", "focus-events", "on");
    // Keep a dead pane (and its exit status) so tests can read the last screen.
    this.tmux("set-option", "-t", pane, "remain-on-exit", "on");
    return pane;
  }

  /** The visible screen of `target` as plain text (no escape sequences). */
  capture(target: string): string {
    return this.tmux("capture-pane", "-p", "-t", target);
  }

  /** Type `keys` literally (no key-name lookup), then optionally press Enter. */
  sendText(target: string, text: string, enter = false): void {
    this.tmux("send-keys", "-t", target, "-l", "--", text);
    if (enter) this.tmux("send-keys", "-t", target, "Enter");
  }

  /** Send tmux key names (e.g. "Enter", "Escape", "C-c", "Down"). */
  sendKeys(target: string, ...keys: string[]): void {
    this.tmux("send-keys", "-t", target, ...keys);
  }

  /** Poll the screen until it matches `re`; returns the matching screen or throws with the last one. */
  async waitForScreen(target: string, re: RegExp, timeoutMs = 20_000, intervalMs = 100): Promise<string> {
    const deadline = Date.now() + timeoutMs;
    let last = "";
    for (;;) {
      try {
        last = this.capture(target);
      } catch (e) {
        last = `(capture failed: ${(e as Error).message})`;
      }
      if (re.test(last)) return last;
      if (Date.now() > deadline)
        throw new Error(`screen did not match ${re} within ${timeoutMs} ms; last screen:\n${last}`);
      await new Promise((r) => setTimeout(r, intervalMs));
    }
  }

  /** "1 <status>" for a dead pane, "0 " while it runs. */
  paneDead(target: string): { dead: boolean; status: number | undefined } {
    const out = this.tmux("display-message", "-p", "-t", target, "#{pane_dead} #{pane_dead_status}").trim();
    const [dead, status] = out.split(" ");
    return { dead: dead === "1", status: status ? Number(status) : undefined };
  }

  /**
   * Kill this test's server (and only it), then wait (up to `waitMs`) for the processes its panes ran to
   * exit, so a sandbox can be removed without racing a Claude still writing its transcript. Safe to call twice.
   */
  async kill(waitMs = 5_000): Promise<void> {
    const listed = spawnSync("tmux", ["-L", this.socket, "list-panes", "-a", "-F", "#{pane_pid}"], {
      env: this.env,
      encoding: "utf8",
    });
    const pids = (listed.status === 0 ? listed.stdout : "")
      .split("\n")
      .map(Number)
      .filter((n) => n > 0);
    spawnSync("tmux", ["-L", this.socket, "kill-server"], { env: this.env, encoding: "utf8" });
    const deadline = Date.now() + waitMs;
    while (pids.some(pidAlive) && Date.now() < deadline) await new Promise((r) => setTimeout(r, 50));
  }
}

/**
 * End this test's tmux server (by its -L name, never another) at once; the returned function waits (up to 10 s)
 * until the agents that ran in its panes have exited, so the sandbox can go.
 */
export function endTmuxServer(sb: Sandbox, socket: string): () => Promise<void> {
  const listed = spawnSync("tmux", ["-L", socket, "list-panes", "-a", "-F", "#{pane_pid}"], {
    env: sb.env,
    encoding: "utf8",
  });
  const pids = (listed.stdout ?? "")
    .split("\n")
    .map(Number)
    .filter((n) => n > 0);
  spawnSync("tmux", ["-L", socket, "kill-server"], { env: sb.env });
  return async () => {
    const deadline = Date.now() + 10_000;
    while (pids.some(pidAlive) && Date.now() < deadline) await new Promise((r) => setTimeout(r, 100));
  };
}

/** Remove the sandbox, trying again while an exiting agent's late write (a transcript) lands. */
export async function removeSandbox(sb: Sandbox): Promise<void> {
  for (let i = 0; i < 5; i++) {
    try {
      sb.cleanup();
      return;
    } catch {
      await new Promise((r) => setTimeout(r, 500));
    }
  }
}
