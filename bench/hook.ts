// How fast is `braid hook <event>` (run by Claude Code on every tool call)? Target < 100 ms typical.
// Baselines measured in the same run: bare `node -e 0` and `braid --version` (the CLI's cheapest path).
// Also times `braid status --json` and the in-process listSessionViews for a few sessions.
// Usage: npm run bench -- hook [runs]
import { spawnSync } from "node:child_process";
import { mkdirSync, mkdtempSync, realpathSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { ACTIVITY_HOOK } from "../src/agents/claude.js";
import { summaryRow } from "./summary.js";

const ROOT = join(dirname(fileURLToPath(import.meta.url)), "..", "..");
const BIN = join(ROOT, "bin", "braid.js");
const runs = Number(process.argv[2] ?? 15);

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
const hookEnv = (type: string) => ({
  ...env,
  BRAID_SESSION: "s1",
  BRAID_STATE_DIR: stateDir,
  BRAID_RUN_ID: "r",
  BRAID_SESSION_TYPE: type,
});

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)] ?? 0;
}

/** A hook command as Claude Code runs it: through /bin/sh. */
function timeShell(command: string, e: NodeJS.ProcessEnv): number {
  const ms: number[] = [];
  for (let i = 0; i < runs; i++) {
    const t = process.hrtime.bigint();
    const r = spawnSync("/bin/sh", ["-c", command], { cwd: repo, env: e, encoding: "utf8" });
    ms.push(Number(process.hrtime.bigint() - t) / 1e6);
    if (r.status !== 0) throw new Error(`activity hook failed: ${r.stderr}`);
  }
  return median(ms);
}

function time(label: string, argv: string[], input: string, e: NodeJS.ProcessEnv): number {
  const ms: number[] = [];
  for (let i = 0; i < runs; i++) {
    const t = process.hrtime.bigint();
    const r = spawnSync(process.execPath, argv, { cwd: repo, env: e, input, encoding: "utf8" });
    ms.push(Number(process.hrtime.bigint() - t) / 1e6);
    if (r.status !== 0) throw new Error(`${label} failed: ${r.stderr}`);
  }
  const m = median(ms);
  return m;
}

const write = JSON.stringify({
  tool_name: "Write",
  tool_input: { file_path: join(repo, "x") },
  cwd: repo,
  session_id: "c",
});
const stop = JSON.stringify({ cwd: repo, session_id: "c" });
const results: [string, number][] = [];
results.push(["node -e 0 (baseline)", time("node", ["-e", "0"], "", env)]);
// The floor of a hook in node: read the event from stdin, read the session's live state, write it back.
const floorScript = join(root, "floor.mjs");
writeFileSync(
  floorScript,
  `import { readFileSync, writeFileSync, mkdirSync } from "node:fs";
const input = readFileSync(0, "utf8");
const dir = ${JSON.stringify(join(stateDir, "run", "s1"))};
mkdirSync(dir, { recursive: true });
let live = {}; try { live = JSON.parse(readFileSync(dir + "/live.json", "utf8")); } catch {}
writeFileSync(dir + "/live.tmp", JSON.stringify({ ...live, state: "idle", input: input.length }));
`,
);
results.push(["node floor (stdin + read/write live state)", time("floor", [floorScript], stop, env)]);
results.push(["braid --version", time("version", [BIN, "--version"], "", env)]);
results.push(["braid hook Stop", time("stop", [BIN, "hook", "Stop"], stop, hookEnv("implementation"))]);
results.push([
  "braid hook PreToolUse Write (research: deny)",
  time("deny", [BIN, "hook", "PreToolUse"], write, hookEnv("research")),
]);
results.push([
  "braid hook PreToolUse Write (guard: loads project)",
  time("guard", [BIN, "hook", "PreToolUse"], write, hookEnv("implementation")),
]);
// 40 notes, all already delivered: the common case of UserPromptSubmit (nothing new to say).
const hookCtxEnv = { ...hookEnv("implementation"), BRAID_MAIN_WORKTREE: repo, BRAID_PROJECT: "app" };
for (let i = 0; i < 40; i++)
  spawnSync(process.execPath, [BIN, "note", `note ${i}`], { cwd: repo, env, encoding: "utf8" });
spawnSync(process.execPath, [BIN, "hook", "UserPromptSubmit"], { cwd: repo, env: hookCtxEnv, input: stop });
results.push([
  "braid hook UserPromptSubmit (40 notes, all read)",
  time("prompt", [BIN, "hook", "UserPromptSubmit"], stop, hookCtxEnv),
]);
const edit = JSON.stringify({
  tool_name: "Edit",
  tool_input: { file_path: join(repo, "x") },
  cwd: repo,
  session_id: "c",
});
results.push([
  "braid hook PreToolUse Edit (ownership guard)",
  time("edit", [BIN, "hook", "PreToolUse"], edit, hookCtxEnv),
]);
mkdirSync(join(stateDir, "run", "s1"), { recursive: true });
results.push(["PostToolUse activity hook (sh, no braid process)", timeShell(ACTIVITY_HOOK, hookCtxEnv)]);
results.push([
  "braid hook SessionStart (context: loads project)",
  time("start", [BIN, "hook", "SessionStart"], stop, hookEnv("implementation")),
]);
writeFileSync(join(repo, "braid.toml"), "");
results.push(["braid status --json (no sessions)", time("status", [BIN, "status", "--json"], "", env)]);
results.push(["braid --help", time("help", [BIN, "--help"], "", env)]);

const base = results[0]?.[1] ?? 1;
console.log(`median of ${runs} runs each (load average ${(await import("node:os")).loadavg()[0]?.toFixed(1)})`);
for (const [label, ms] of results) {
  console.log(
    `${label.padEnd(52)} ${ms.toFixed(1).padStart(7)} ms  ${(ms / base).toFixed(2)}x baseline  +${(ms - base).toFixed(1)} ms`,
  );
}
const figure = (label: string) => results.find(([l]) => l.startsWith(label))?.[1] ?? Number.NaN;
const floor = figure("node floor");
for (const [what, label, target] of [
  ["hook UserPromptSubmit (40 notes, all read)", "braid hook UserPromptSubmit", "≤ 1.2×"],
  ["hook PreToolUse Edit (ownership guard)", "braid hook PreToolUse Edit", "≤ 1.2×"],
  ["hook Stop", "braid hook Stop", "≤ 1.2×"],
  ["status --json, no sessions", "braid status --json", "≤ 1.5×"],
  ["braid --help", "braid --help", "≤ 1.5×"],
] as const)
  summaryRow({ what, braid: figure(label), baseline: base, baselineLabel: "node -e 0", target });
summaryRow({
  what: "(floor: a hook-shaped node script)",
  braid: floor,
  baseline: base,
  baselineLabel: "node -e 0",
  target: "—",
});
rmSync(root, { recursive: true, force: true });
