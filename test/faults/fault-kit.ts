/**
 * Shared pieces of the fault suite: braid paused at a named point (BRAID_FAULT_PAUSE, src/faults.ts) so a
 * test can kill -9 it exactly there, a committing stand-in agent, reachability checks ("work lost"), and a
 * results file `npm run faults` turns into its table.
 */
import { spawn, spawnSync } from "node:child_process";
import { appendFileSync, existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { BRAID_BIN, gitIn, type Sandbox } from "../helpers/env.js";

export async function waitFor(check: () => boolean, what: string, timeoutMs = 60_000): Promise<void> {
  const t0 = Date.now();
  while (!check()) {
    if (Date.now() - t0 > timeoutMs) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

/** Start `braid args` so that it stops at `point`; resolves with its pid once it is there. */
export async function braidPausedAt(
  sb: Sandbox,
  cwd: string,
  args: string[],
  point: string,
  env: NodeJS.ProcessEnv = {},
): Promise<{ pid: number; exited: Promise<number | null>; output: () => { stdout: string; stderr: string } }> {
  const mark = join(sb.root, `pause-${point}-${Date.now()}`);
  const child = spawn(process.execPath, [BRAID_BIN, ...args], {
    cwd,
    env: { ...sb.env, ...env, BRAID_FAULT_PAUSE: point, BRAID_FAULT_MARK: mark },
    stdio: ["ignore", "pipe", "pipe"],
  });
  let stdout = "";
  let stderr = "";
  child.stdout.on("data", (d) => {
    stdout += d;
  });
  child.stderr.on("data", (d) => {
    stderr += d;
  });
  const exited = new Promise<number | null>((r) => child.on("close", (c) => r(c)));
  await waitFor(() => existsSync(mark), `braid ${args[0]} to reach ${point}`);
  return { pid: child.pid as number, exited, output: () => ({ stdout, stderr }) };
}

/** kill -9 by pid, and wait until it is gone. */
export async function kill9(p: { pid: number; exited: Promise<number | null> }): Promise<void> {
  process.kill(p.pid, "SIGKILL");
  await p.exited;
}

/**
 * Global config with a stand-in agent `committer`: a shell loop that commits in its worktree every
 * ~100 ms (once the file `go` exists, when given) and logs each commit's sha to `log` (outside the worktree), so a test can check every one of
 * them is still reachable afterwards.
 */
export function useCommitterAgent(sb: Sandbox, log: string, go?: string): void {
  const script = [
    "i=0",
    'while [ -n "$BRAID_FAULT_GO" ] && [ ! -f "$BRAID_FAULT_GO" ]; do sleep 0.05; done',
    "while true; do",
    '  i=$((i+1)); echo "$i" >> agent-work.txt',
    '  git add agent-work.txt && git commit -qm "agent tick $i" && git rev-parse HEAD >> "$BRAID_FAULT_LOG"',
    "  sleep 0.1",
    "done",
  ].join("\n");
  const dir = join(sb.home, ".config", "braid");
  mkdirSync(dir, { recursive: true });
  writeFileSync(join(dir, "config.toml"), `[agents.committer]\ncommand = ["sh", "-c", ${JSON.stringify(script)}]\n`);
  sb.env.BRAID_FAULT_LOG = log;
  if (go) sb.env.BRAID_FAULT_GO = go;
}

/** Commits from `log` that no ref (branch, tag, backup ref) reaches any more: work lost. */
export function unreachable(sb: Sandbox, repo: string, log: string): string[] {
  if (!existsSync(log)) return [];
  const shas = [...new Set(readFileSync(log, "utf8").split("\n").filter(Boolean))];
  return shas.filter((sha) => {
    const r = spawnSync("git", ["for-each-ref", "--count=1", "--contains", sha], {
      cwd: repo,
      env: sb.env,
      encoding: "utf8",
    });
    return r.status !== 0 || r.stdout.trim() === "";
  });
}

export function commitsIn(log: string): number {
  return existsSync(log) ? new Set(readFileSync(log, "utf8").split("\n").filter(Boolean)).size : 0;
}

/** Record one fault case for `npm run faults` (BRAID_FAULTS_REPORT names the results file). */
export function recordCase(c: { case: string; tried: number; survived: number; workLost: number }): void {
  const file = process.env.BRAID_FAULTS_REPORT;
  if (file) appendFileSync(file, `${JSON.stringify(c)}\n`);
}

/** A tmpfs of `kib` KiB at `dir` (root only); false when it cannot be mounted. */
export function mountTmpfs(dir: string, kib: number): boolean {
  mkdirSync(dir, { recursive: true });
  if (process.getuid?.() !== 0) return false;
  return spawnSync("mount", ["-t", "tmpfs", "-o", `size=${kib}k,mode=0755`, "tmpfs", dir]).status === 0;
}

export function umount(dir: string): void {
  spawnSync("umount", ["-l", dir]);
  rmSync(dir, { recursive: true, force: true });
}

/** Fill the file system holding `dir` until fewer than `leaveBytes` are free. */
export function fillDisk(dir: string, leaveBytes: number): void {
  const st = spawnSync("df", ["-B1", "--output=avail", dir], { encoding: "utf8" });
  const avail = Number(st.stdout.trim().split("\n").pop());
  const size = Math.max(0, avail - leaveBytes);
  writeFileSync(join(dir, "filler.bin"), Buffer.alloc(size, 1));
}

export { gitIn };
