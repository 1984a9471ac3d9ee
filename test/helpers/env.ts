/**
 * Test sandbox: a private HOME (so ~/.claude, ~/.claude.json, git config and braid's global dirs
 * are the test's own), a private tmux socket dir, and temp repos made with real git.
 */
import { spawn, spawnSync } from "node:child_process";
import { mkdirSync, mkdtempSync, realpathSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

export const REPO_ROOT = join(dirname(fileURLToPath(import.meta.url)), "..", "..", "..");
export const BRAID_BIN = join(REPO_ROOT, "bin", "braid.js");

export interface Sandbox {
  root: string;
  home: string;
  env: NodeJS.ProcessEnv;
  /** Remove everything this sandbox made. */
  cleanup(): void;
}

/**
 * A fresh temp dir with its own HOME, XDG dirs and tmux socket dir. `at`: make it at this path (which must
 * not exist yet) instead of a new mkdtemp name.
 */
export function makeSandbox(prefix = "braid-test-", at?: string): Sandbox {
  if (at) mkdirSync(at, { mode: 0o700 }); // private, like mkdtemp
  const root = at ?? realpathSync(mkdtempSync(join(tmpdir(), prefix)));
  const home = join(root, "home");
  mkdirSync(home, { recursive: true });
  writeFileSync(
    join(home, ".gitconfig"),
    "[user]\n\tname = braid test\n\temail = test@braid.invalid\n[init]\n\tdefaultBranch = main\n[advice]\n\tdetachedHead = false\n",
  );
  const tmuxDir = join(root, "tmux");
  mkdirSync(tmuxDir, { recursive: true });
  const env: NodeJS.ProcessEnv = {
    ...process.env,
    HOME: home,
    XDG_CONFIG_HOME: join(home, ".config"),
    XDG_DATA_HOME: join(home, ".local", "share"),
    XDG_STATE_HOME: join(home, ".local", "state"),
    TMUX_TMPDIR: tmuxDir,
    GIT_CONFIG_NOSYSTEM: "1",
    NO_COLOR: "1",
    // No watcher daemon per test repo (one would start with the first status): test/watch/ runs it where it is the subject.
    BRAID_WATCH: "0",
  };
  // Never talk to the user's tmux server or inherit their session.
  delete env.TMUX;
  delete env.TMUX_PANE;
  delete env.BRAID_HOME;
  delete env.BRAID_CONFIG;
  delete env.BRAID_WORKFLOWS_DIR;
  delete env.BRAID_SESSION;
  delete env.BRAID_PROJECT;
  return {
    root,
    home,
    env,
    // Retries: a just-killed agent, or a detached braid helper (pump, notify worker), may still be writing for a moment.
    cleanup: () => rmSync(root, { recursive: true, force: true, maxRetries: 60, retryDelay: 250 }),
  };
}

export interface RunResult {
  code: number;
  stdout: string;
  stderr: string;
}

/** Run git synchronously in a sandbox (throws with git's stderr on failure). */
export function sh(sb: Sandbox, cwd: string, cmd: string, args: string[]): string {
  const r = spawnSync(cmd, args, { cwd, env: sb.env, encoding: "utf8" });
  if (r.status !== 0) throw new Error(`${cmd} ${args.join(" ")} failed (${r.status}): ${r.stderr}`);
  return r.stdout;
}

export function gitIn(sb: Sandbox, cwd: string, ...args: string[]): string {
  return sh(sb, cwd, "git", args).replace(/\n$/, "");
}

/** A real repo `name` under the sandbox root with the given files committed. */
export function makeRepo(
  sb: Sandbox,
  name = "app",
  files: Record<string, string> = { "README.md": "# app\n" },
): string {
  const dir = join(sb.root, name);
  mkdirSync(dir, { recursive: true });
  gitIn(sb, dir, "init", "-q");
  writeFiles(dir, files);
  gitIn(sb, dir, "add", "-A");
  gitIn(sb, dir, "commit", "-q", "-m", "initial");
  return dir;
}

/** Write `files` in `dir` (a worktree), stage everything and commit; returns the new commit. */
export function commitIn(sb: Sandbox, dir: string, files: Record<string, string>, msg = "work"): string {
  writeFiles(dir, files);
  gitIn(sb, dir, "add", "-A");
  gitIn(sb, dir, "commit", "-q", "-m", msg);
  return gitIn(sb, dir, "rev-parse", "HEAD");
}

export function writeFiles(dir: string, files: Record<string, string>): void {
  for (const [p, content] of Object.entries(files)) {
    mkdirSync(dirname(join(dir, p)), { recursive: true });
    writeFileSync(join(dir, p), content);
  }
}

/** Run a program to completion, collecting its output; killed after timeoutMs (then code 128). */
export function runProcess(
  cmd: string,
  args: string[],
  opts: { cwd: string; env: NodeJS.ProcessEnv; input?: string; timeoutMs: number },
): Promise<RunResult & { ms: number }> {
  const t0 = Date.now();
  return new Promise((resolve, reject) => {
    const child = spawn(cmd, args, { cwd: opts.cwd, env: opts.env, stdio: ["pipe", "pipe", "pipe"] });
    let stdout = "";
    let stderr = "";
    child.stdout.on("data", (d) => {
      stdout += d;
    });
    child.stderr.on("data", (d) => {
      stderr += d;
    });
    const timer = setTimeout(() => child.kill("SIGKILL"), opts.timeoutMs);
    child.on("error", reject);
    child.on("close", (code) => {
      clearTimeout(timer);
      resolve({ code: code ?? 128, stdout, stderr, ms: Date.now() - t0 });
    });
    child.stdin.on("error", () => {
      /* the program may exit without reading its input */
    });
    child.stdin.end(opts.input ?? "");
  });
}

/** Run the built braid CLI as a user would. */
export async function braid(
  sb: Sandbox,
  cwd: string,
  args: string[],
  opts: { env?: NodeJS.ProcessEnv; input?: string; timeoutMs?: number } = {},
): Promise<RunResult> {
  const { code, stdout, stderr } = await runProcess(process.execPath, [BRAID_BIN, ...args], {
    cwd,
    env: { ...sb.env, ...opts.env },
    ...(opts.input !== undefined ? { input: opts.input } : {}),
    timeoutMs: opts.timeoutMs ?? 60_000,
  });
  return { code, stdout, stderr };
}

/** Assert helper: a failed CLI run printed exactly one line on stderr, naming a fix. */
export function isOneLineError(r: RunResult): boolean {
  const lines = r.stderr.trim().split("\n");
  return (
    r.code !== 0 && lines.length === 1 && lines[0]?.startsWith("braid: ") === true && !/\bat .+:\d+:\d+/.test(r.stderr)
  );
}

/** Poll `fn` until it returns something truthy (that value), or fail after `ms` naming what never happened. */
export async function waitFor<T>(what: string, fn: () => T | Promise<T>, ms = 30_000): Promise<NonNullable<T>> {
  const deadline = Date.now() + ms;
  let last: T | undefined;
  while (Date.now() < deadline) {
    last = await fn();
    if (last) return last as NonNullable<T>;
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error(`timed out waiting for ${what} (last: ${JSON.stringify(last)})`);
}

/**
 * What another `worktree add` leaves for a moment: an admin dir in `repo` whose commondir is not written yet, which
 * makes git 2.39's `worktree add` stop with "failed to read .git/worktrees/<id>/commondir". Returns it, to remove.
 */
export function makeWorktreeAddGhost(sb: Sandbox, repo: string): string {
  const ghost = join(repo, ".git", "worktrees", "ghost");
  mkdirSync(ghost, { recursive: true });
  writeFileSync(join(ghost, "gitdir"), `${join(sb.root, "ghost", ".git")}\n`);
  writeFileSync(join(ghost, "commondir"), "");
  writeFileSync(join(ghost, "locked"), "initializing\n");
  return ghost;
}
