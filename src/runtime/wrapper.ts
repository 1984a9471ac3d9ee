/**
 * The exec wrapper: braid runs every agent through it, in tmux and headless alike.
 *   node wrapper.js <launchDir> <projectDir> <braidBin> -- <agent argv...>
 * It reads the agent's environment from `<launchDir>/env.json` (0600, deleted at once: secrets never sit
 * in any process's argv), spawns the agent (no shell), writes agent.pid, waits, keeps the pane's last
 * text in output.log (runner tmux; headless output goes there directly), writes exit.json, then wakes the
 * cascade supervisor (`braid _pump`, detached) so a queued session starts as soon as this one ends, and
 * exits with the agent's code so tmux's pane_dead_status tells the same story.
 * A sandboxed agent commits into a private git dir: when `<launchDir>/sandbox.json` names files to watch,
 * the wrapper runs its sync command whenever they change (polled each second) and once more, to the end,
 * before it records the exit, so whoever sees the session ended sees its last commit too.
 * Deliberately tiny: only node built-ins (and notify/fire.ts, which keeps to built-ins too).
 */
import { spawn, spawnSync } from "node:child_process";
import { mkdirSync, readFileSync, renameSync, rmSync, statSync, writeFileSync } from "node:fs";
import { constants } from "node:os";
import { basename, join } from "node:path";
import { fireNotify } from "../notify/fire.js";

function writeAtomic(path: string, text: string): void {
  const tmp = `${path}.${process.pid}.tmp`;
  writeFileSync(tmp, text);
  renameSync(tmp, path);
}

function wakeSupervisor(projectDir: string, braidBin: string): void {
  try {
    const child = spawn(process.execPath, [braidBin, "_pump"], { cwd: projectDir, detached: true, stdio: "ignore" });
    child.on("error", () => undefined);
    child.unref();
  } catch {
    /* the next braid command reconciles anyway */
  }
}

interface SandboxWatch {
  watch: string[];
  sync: string[];
}

function readWatch(dir: string): SandboxWatch | null {
  try {
    const w = JSON.parse(readFileSync(join(dir, "sandbox.json"), "utf8")) as SandboxWatch;
    return Array.isArray(w.watch) && Array.isArray(w.sync) && w.sync.length > 0 ? w : null;
  } catch {
    return null;
  }
}

/** Run the sync whenever a watched file changes; `final()` runs it once more, synchronously. */
function watchSandbox(w: SandboxWatch, projectDir: string): { final: () => void } {
  const stamp = () =>
    w.watch
      .map((f) => {
        try {
          return String(statSync(f).mtimeMs);
        } catch {
          return "-";
        }
      })
      .join(" ");
  let last = stamp();
  let running = false;
  const timer = setInterval(() => {
    const now = stamp();
    if (now === last || running) return;
    last = now;
    running = true;
    const child = spawn(w.sync[0] as string, w.sync.slice(1), { cwd: projectDir, stdio: "ignore" });
    child.on("error", () => {
      running = false;
    });
    child.on("close", () => {
      running = false;
    });
  }, 1000);
  timer.unref();
  return {
    final: () => {
      clearInterval(timer);
      spawnSync(w.sync[0] as string, w.sync.slice(1), { cwd: projectDir, stdio: "ignore", timeout: 60_000 });
    },
  };
}

/** done / failed the moment the agent exits (the worker skips runs `braid stop` ended). */
function notifyExit(
  dir: string,
  projectDir: string,
  env: NodeJS.ProcessEnv,
  code: number | null,
  signal: string | null,
  error: string | null,
) {
  const session = env.BRAID_SESSION;
  const stateDir = env.BRAID_STATE_DIR;
  if (!session || !stateDir) return;
  fireNotify({
    session,
    state: code === 0 ? "done" : "failed",
    detail: error ?? (signal ? `killed by ${signal}` : `exit code ${code}`),
    since: basename(dir),
    stateDir,
    mainWorktree: env.BRAID_MAIN_WORKTREE ?? projectDir,
    project: env.BRAID_PROJECT ?? "",
  });
}

/** What launch.ts writes for the wrapper (see envFile there). */
interface LaunchEnv {
  env: Record<string, string>;
  /** Runner tmux: keep the terminal's own variables and save the pane's text at exit. */
  tmux: boolean;
}

/** Variables describing the terminal the wrapper runs in (tmux sets them), not braid's. */
const TERMINAL_ENV = ["TMUX", "TMUX_PANE", "TERM", "COLORTERM", "COLUMNS", "LINES"];

function readLaunchEnv(dir: string): LaunchEnv | null {
  const file = join(dir, "env.json");
  try {
    const data = JSON.parse(readFileSync(file, "utf8")) as LaunchEnv;
    return data && typeof data.env === "object" ? data : null;
  } catch {
    return null;
  } finally {
    rmSync(file, { force: true });
  }
}

function agentEnvOf(launch: LaunchEnv | null): NodeJS.ProcessEnv {
  if (!launch) return process.env;
  const env: NodeJS.ProcessEnv = { ...launch.env };
  if (launch.tmux) for (const k of TERMINAL_ENV) if (process.env[k] !== undefined) env[k] = process.env[k];
  return env;
}

/** The pane's text with history, saved before the pane can go away (tmux addressed through $TMUX: this pane's server). */
function savePane(dir: string): void {
  const pane = process.env.TMUX_PANE;
  if (!pane || !process.env.TMUX) return;
  try {
    const r = spawnSync("tmux", ["-u", "capture-pane", "-p", "-J", "-S", "-2000", "-t", pane], {
      encoding: "utf8",
      timeout: 5000,
    });
    if (r.status === 0) writeAtomic(join(dir, "output.log"), r.stdout.replace(/\s+$/, "\n"));
  } catch {
    /* best effort: the exit code is still recorded */
  }
}

function main(args: string[]): void {
  const sep = args.indexOf("--");
  const [dir, projectDir, braidBin] = args;
  const argv = args.slice(sep + 1);
  if (sep < 3 || !dir || !projectDir || !braidBin || argv.length === 0) {
    process.stderr.write("braid wrapper: usage: wrapper.js <launchDir> <projectDir> <braidBin> -- <argv...>\n");
    process.exit(2);
  }
  mkdirSync(dir, { recursive: true });
  const watch = readWatch(dir);
  const sandbox = watch ? watchSandbox(watch, projectDir) : null;
  const launch = readLaunchEnv(dir);
  let finished = false;
  let hup = false;
  const finish = (code: number | null, signal: string | null, error: string | null) => {
    if (finished) return;
    finished = true;
    sandbox?.final();
    if (launch?.tmux && !hup) savePane(dir);
    const exit = { code, signal, error, at: new Date().toISOString(), ...(hup ? { hup } : {}) };
    writeAtomic(join(dir, "exit.json"), `${JSON.stringify(exit)}\n`);
    wakeSupervisor(projectDir, braidBin);
    // The session's variables came in env.json (never argv): the wrapper's own environment lacks them in tmux.
    notifyExit(dir, projectDir, launch?.env ?? process.env, code, signal, error);
    const sigNum = signal ? (constants.signals as Record<string, number>)[signal] : undefined;
    process.exitCode = code ?? (sigNum ? 128 + sigNum : 1);
  };
  const child = spawn(argv[0] as string, argv.slice(1), { stdio: "inherit", env: agentEnvOf(launch) });
  // Ctrl-C reaches the agent through the terminal; the wrapper must outlive it to record the exit.
  process.on("SIGINT", () => undefined);
  for (const sig of ["SIGTERM", "SIGHUP"] as const) {
    process.on(sig, () => {
      if (sig === "SIGHUP") hup = true;
      try {
        child.kill(sig);
      } catch {
        /* already gone */
      }
    });
  }
  child.on("spawn", () => writeAtomic(join(dir, "agent.pid"), `${child.pid}\n`));
  child.on("error", (e: NodeJS.ErrnoException) => {
    const msg = e.code === "ENOENT" ? `${argv[0]}: command not found` : `${argv[0]}: ${e.message}`;
    process.stderr.write(`braid: ${msg}\n`);
    finish(127, null, msg);
  });
  child.on("exit", (code, signal) => finish(code, signal, null));
}

main(process.argv.slice(2));
