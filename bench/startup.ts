/**
 * Cold start: where a read-only command's time goes. Baseline: bare `node -e 0`, measured in this run.
 *   node dist/bench/startup.js [--runs N]
 */
import { spawnSync } from "node:child_process";
import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { BRAID_BIN, makeRepo, makeSandbox, REPO_ROOT } from "../test/helpers/env.js";

const runsArg = process.argv.indexOf("--runs");
const RUNS = runsArg > 0 ? Number(process.argv[runsArg + 1]) : 15;

function median(cmd: string, args: string[], cwd: string, env: NodeJS.ProcessEnv): number {
  const xs: number[] = [];
  for (let i = 0; i < RUNS; i++) {
    const t0 = performance.now();
    const r = spawnSync(cmd, args, { cwd, env, encoding: "utf8" });
    xs.push(performance.now() - t0);
    if (r.status !== 0) throw new Error(`${args.join(" ")}: ${r.stderr}`);
  }
  return xs.sort((a, b) => a - b)[Math.floor(xs.length / 2)] as number;
}

const sb = makeSandbox("braid-bench-");
try {
  const repo = makeRepo(sb, "app");
  const node = (args: string[]) => median(process.execPath, args, repo, sb.env);
  const base = node(["-e", "0"]);
  const line = (label: string, ms: number) =>
    console.log(
      `${label.padEnd(44)} ${ms.toFixed(0).padStart(5)} ms  ${(ms / base).toFixed(2)}x node  (+${(ms - base).toFixed(0)} ms)`,
    );
  console.log(`runs: ${RUNS} (medians)`);
  line("node -e 0 (baseline)", base);
  for (const pkg of ["commander", "zod", "proper-lockfile", "smol-toml", "ignore"]) {
    line(
      `import ${pkg}`,
      median(
        process.execPath,
        ["--input-type=module", "-e", `await import(${JSON.stringify(pkg)})`],
        REPO_ROOT,
        sb.env,
      ),
    );
  }
  line("git rev-parse (one git spawn)", median("git", ["rev-parse", "--git-dir"], repo, sb.env));
  line("braid --version", node([BRAID_BIN, "--version"]));
  line("braid --help", node([BRAID_BIN, "--help"]));
  line("braid ls --json (no config file)", node([BRAID_BIN, "ls", "--json"]));
  writeFileSync(join(repo, "braid.toml"), "max_code_sessions = 4\n");
  line("braid ls --json (braid.toml present: zod loads)", node([BRAID_BIN, "ls", "--json"]));
} finally {
  sb.cleanup();
}
