// The hook command of every event braid registers with Claude Code, run through /bin/sh as Claude runs it (it runs
// on every prompt and inspected tool call of every agent, and Claude waits for it): braid's node hook, or the shell
// that settles the common case without it. Against bare `node -e 0` and a hook-shaped node script (the floor) in
// the same run. Runs alternate between the commands, round by round, so load
// changes on a shared machine hit all of them alike; figures are medians. Target: ≤ 1.2× `node -e 0`.
// Usage: npm run bench -- hook [--runs N]
import { spawnSync } from "node:child_process";
import { mkdirSync, mkdtempSync, readFileSync, realpathSync, rmSync, utimesSync, writeFileSync } from "node:fs";
import { loadavg, tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { CLAUDE_HOOK_EVENTS, claudeHookSettings } from "../src/agents/claude.js";
import { median, summaryRow } from "./summary.js";
import { timed } from "./timed.js";

const ROOT = join(dirname(fileURLToPath(import.meta.url)), "..", "..");
const BIN = join(ROOT, "bin", "braid.js");
const runsFlag = process.argv.indexOf("--runs");
/** `hook.js 31` or `hook.js --runs 31` (npm run bench passes its arguments to every script). */
const runs = Number((runsFlag > 0 ? process.argv[runsFlag + 1] : process.argv[2]) ?? 21) || 21;

const root = realpathSync(mkdtempSync(join(tmpdir(), "braid-bench-hook-")));
const home = join(root, "home");
mkdirSync(home, { recursive: true });
const repo = join(root, "app");
mkdirSync(repo);
const env: NodeJS.ProcessEnv = {
  ...process.env,
  HOME: home,
  XDG_DATA_HOME: join(home, "d"),
  XDG_CONFIG_HOME: join(home, "c"),
};
const git = (...args: string[]) => spawnSync("git", args, { cwd: repo, env, encoding: "utf8" });
git("init", "-q");
git("-c", "user.name=b", "-c", "user.email=b@b", "commit", "-q", "--allow-empty", "-m", "init");
const stateDir = join(repo, ".git", "braid");
// 40 notes, all already delivered (below): the common case of UserPromptSubmit, nothing new to say.
for (let i = 0; i < 40; i++) spawnSync(process.execPath, [BIN, "note", `note ${i}`], { cwd: repo, env });
const notesFile = JSON.parse(
  spawnSync(process.execPath, [BIN, "notes", "--json"], { cwd: repo, env, encoding: "utf8" }).stdout,
).path;
mkdirSync(join(stateDir, "run", "s1"), { recursive: true });
/** The environment braid gives a session's agent (and so its hooks) at launch. */
const hookEnv = (type: string): NodeJS.ProcessEnv => ({
  ...env,
  BRAID_SESSION: "s1",
  BRAID_STATE_DIR: stateDir,
  BRAID_RUN_ID: "r",
  BRAID_SESSION_TYPE: type,
  BRAID_MAIN_WORKTREE: repo,
  BRAID_PROJECT: "app",
  BRAID_NOTES_FILE: notesFile,
  BRAID_GLOBAL_CONFIG: join(home, "c", "braid", "config.toml"),
  BRAID_WORKTREE: repo,
});
const impl = hookEnv("implementation");
// A registry with sessions (and no owned paths: braid writes its no-owners file after it), and a copy of it in a
// state dir where some session owns paths, where every edit goes to braid's ownership guard.
spawnSync(process.execPath, [BIN, "new", "s1"], { cwd: repo, env });
const ownedStateDir = join(root, "state-owned");
mkdirSync(join(ownedStateDir, "run", "s1"), { recursive: true });
const registry = JSON.parse(readFileSync(join(stateDir, "state.json"), "utf8"));
registry.sessions.push({ ...registry.sessions[0], name: "owner", order: 99, owns: ["src/**"] });
writeFileSync(join(ownedStateDir, "state.json"), JSON.stringify(registry));
// as braid writes it after such a registry (project/state.ts): where owned paths start, newer than state.json
writeFileSync(join(ownedStateDir, "owned-prefixes"), "src\n");
utimesSync(join(ownedStateDir, "owned-prefixes"), new Date(Date.now() + 2000), new Date(Date.now() + 2000));
mkdirSync(join(repo, "src"));
const owned = { ...impl, BRAID_STATE_DIR: ownedStateDir };
const tool = (name: string, file = "x") =>
  JSON.stringify({ tool_name: name, tool_input: { file_path: join(repo, file) }, cwd: repo, session_id: "c" });
const plain = JSON.stringify({ cwd: repo, session_id: "c" });

// The floor of a hook in node: read the event from stdin, read the session's live state, write it back.
// CommonJS, as braid's hook bundle is (an ES module main file costs node 4–8 ms more to start).
const floorScript = join(root, "floor.cjs");
writeFileSync(
  floorScript,
  `const { readFileSync, writeFileSync, mkdirSync } = require("node:fs");
const input = readFileSync(0, "utf8");
const dir = ${JSON.stringify(join(stateDir, "run", "s1"))};
mkdirSync(dir, { recursive: true });
let live = {}; try { live = JSON.parse(readFileSync(dir + "/live.json", "utf8")); } catch {}
writeFileSync(dir + "/live.tmp", JSON.stringify({ ...live, state: "idle", input: input.length }));
`,
);
// The same, writing the state as braid does (infra/fsutil.ts writeFileAtomic: temp file, fsync, rename,
// directory fsync: a crash never leaves a torn file). What that durability costs is part of every hook.
const durableFloor = join(root, "floor-durable.cjs");
writeFileSync(
  durableFloor,
  `const { closeSync, fsyncSync, openSync, readFileSync, renameSync, writeSync } = require("node:fs");
const input = readFileSync(0, "utf8");
const dir = ${JSON.stringify(join(stateDir, "run", "s1"))};
let live = {}; try { live = JSON.parse(readFileSync(dir + "/live.json", "utf8")); } catch {}
const tmp = dir + "/floor." + process.pid + ".tmp";
const fd = openSync(tmp, "wx", 0o600);
writeSync(fd, JSON.stringify({ ...live, input: input.length }));
fsyncSync(fd);
closeSync(fd);
renameSync(tmp, dir + "/floor.json");
const d = openSync(dir, "r");
fsyncSync(d);
closeSync(d);
`,
);

spawnSync(process.execPath, [BIN, "hook", "UserPromptSubmit"], { cwd: repo, env: impl, input: plain });

interface Case {
  label: string;
  /** The event braid registers (CLAUDE_HOOK_EVENTS), for the summary. */
  event?: string;
  cmd: string;
  args: string[];
  input: string;
  env: NodeJS.ProcessEnv;
}
/** The command the agent runs for `event` (and `tool`), exactly as braid registers it, through the shell as Claude does. */
const registered = JSON.parse(claudeHookSettings(process.execPath, BIN)).hooks as Record<
  string,
  Array<{ matcher?: string; hooks: Array<{ command: string }> }>
>;
const hook = (label: string, event: string, input: string, e = impl, tool = ""): Case => {
  const entry = registered[event]?.find((h) => !h.matcher || h.matcher === "*" || h.matcher.split("|").includes(tool));
  if (!entry) throw new Error(`no ${event} hook for ${tool}`);
  return { label, event, cmd: "/bin/sh", args: ["-c", entry.hooks[0]?.command ?? ""], input, env: e };
};
const toolHook = (label: string, name: string, e = impl) => hook(label, "PreToolUse", tool(name), e, name);
const cases: Case[] = [
  { label: "node -e 0 (baseline)", cmd: process.execPath, args: ["-e", "0"], input: "", env },
  {
    label: "node floor (stdin + read/write live state)",
    cmd: process.execPath,
    args: [floorScript],
    input: plain,
    env,
  },
  {
    label: "node floor, durable write (fsync + rename)",
    cmd: process.execPath,
    args: [durableFloor],
    input: plain,
    env,
  },
  hook("braid hook SessionStart (context: how to coordinate)", "SessionStart", plain),
  hook("hook UserPromptSubmit (40 notes, all read: sh)", "UserPromptSubmit", plain),
  {
    ...hook("braid hook UserPromptSubmit (40 notes, all read: braid's path)", "UserPromptSubmit", plain),
    event: undefined,
    env: { ...impl, BRAID_NOTES_FILE: "" },
  },
  toolHook("hook PreToolUse Edit (nobody owns paths: sh)", "Edit"),
  toolHook("hook PreToolUse Edit (a session owns paths, not this file's: sh)", "Edit", owned),
  {
    ...hook(
      "braid hook PreToolUse Edit (ownership guard: a file under an owned path)",
      "PreToolUse",
      tool("Edit", "src/x"),
      owned,
      "Edit",
    ),
    event: undefined,
  },
  toolHook("hook PreToolUse Write (research: deny: sh)", "Write", hookEnv("research")),
  toolHook("hook PreToolUse AskUserQuestion (waiting, no notify key: sh)", "AskUserQuestion"),
  hook("hook PermissionRequest (no notify key: sh)", "PermissionRequest", tool("Bash")),
  hook(
    "hook Notification (no notify key: sh)",
    "Notification",
    JSON.stringify({ cwd: repo, notification_type: "idle_prompt" }),
  ),
  hook("hook Stop (no notify key: sh)", "Stop", plain),
  hook("hook SessionEnd (sh)", "SessionEnd", JSON.stringify({ cwd: repo, reason: "exit" })),
  // With a notify key set, the events that can notify go to braid's hook (here: as when launched by an older braid).
  {
    ...hook(
      "braid hook Notification (braid's path: a notify key set)",
      "Notification",
      JSON.stringify({ cwd: repo, notification_type: "idle_prompt" }),
    ),
    event: undefined,
    env: { ...impl, BRAID_GLOBAL_CONFIG: "" },
  },
  // PostToolUse (and PreToolUse of every tool braid does not inspect): no braid process at all.
  hook("PostToolUse activity hook (sh, no braid)", "PostToolUse", "", impl, "Bash"),
];

// Wall time and user+sys CPU of each run (bench/timed.ts: CPU is steadier on a loaded machine).
const samples: number[][] = cases.map(() => []);
const cpuSamples: number[][] = cases.map(() => []);
for (let i = 0; i < runs; i++) {
  for (const [j, c] of cases.entries()) {
    const r = timed(c.cmd, c.args, { cwd: repo, env: c.env, input: c.input });
    samples[j]?.push(r.ms);
    if (r.status !== 0) throw new Error(`${c.label} failed: ${r.stderr}`);
    cpuSamples[j]?.push(r.cpuMs);
  }
}
const figures = samples.map(median);
const cpus = cpuSamples.map(median);
const base = figures[0] ?? 1;
const baseCpu = cpus[0] ?? 1;
console.log(`median of ${runs} alternated runs each (load average ${loadavg()[0]?.toFixed(1)})`);
for (const [j, c] of cases.entries()) {
  const ms = figures[j] ?? Number.NaN;
  const cpu = cpus[j] ?? Number.NaN;
  console.log(
    `${c.label.padEnd(52)} ${ms.toFixed(1).padStart(7)} ms  ${(ms / base).toFixed(2)}x node -e 0  +${(ms - base).toFixed(1)} ms   cpu ${cpu.toFixed(0).padStart(4)} ms ${(cpu / baseCpu).toFixed(2)}x`,
  );
}
const missing = CLAUDE_HOOK_EVENTS.filter((ev) => !cases.some((c) => c.event === ev));
if (missing.length) throw new Error(`bench/hook.ts does not measure ${missing.join(", ")}`);
for (const [j, c] of cases.entries()) {
  if (j === 0) continue;
  summaryRow({
    what: c.event ? c.label.replace(/^braid /, "") : `(${c.label})`,
    braid: figures[j] ?? Number.NaN,
    baseline: base,
    baselineLabel: "node -e 0",
    target: c.event ? "≤ 1.2×" : "—",
  });
}
rmSync(root, { recursive: true, force: true });
