import { writeFileSync } from "node:fs";
import { loadavg } from "node:os";
import { join } from "node:path";
import { BRAID_BIN, makeRepo, makeSandbox, REPO_ROOT } from "../test/helpers/env.js";
import { summaryRow } from "./summary.js";
import { timed } from "./timed.js";

const runsArg = process.argv.indexOf("--runs");
const RUNS = runsArg > 0 ? Number(process.argv[runsArg + 1]) : 15;

const beforeArg = process.argv.indexOf("--before");
/** Another build's bin/braid.js to compare against (e.g. main's), optional. */
const BEFORE = beforeArg > 0 ? process.argv[beforeArg + 1] : undefined;

interface Sample {
  wall: number;
  /** user+sys CPU ms of the process and its children (git): steadier than wall time on a busy machine. */
  cpu: number;
}

function median(cmd: string, args: string[], cwd: string, env: NodeJS.ProcessEnv): Sample {
  const walls: number[] = [];
  const cpus: number[] = [];
  for (let i = 0; i < RUNS; i++) {
    const r = timed(cmd, args, { cwd, env });
    walls.push(r.ms);
    if (r.status !== 0) throw new Error(`${args.join(" ")}: ${r.stderr}`);
    cpus.push(r.cpuMs);
  }
  const mid = (xs: number[]) => xs.sort((a, b) => a - b)[Math.floor(xs.length / 2)] as number;
  return { wall: mid(walls), cpu: mid(cpus) };
}

/** Commands run in alternation, round by round (load changes on a shared machine hit all alike); medians. */
function alternated(cmds: ReadonlyArray<readonly [cmd: string, args: string[]]>, cwd: string, env: NodeJS.ProcessEnv) {
  const walls: number[][] = cmds.map(() => []);
  const cpus: number[][] = cmds.map(() => []);
  for (let i = 0; i < RUNS; i++) {
    for (const [j, [cmd, args]] of cmds.entries()) {
      const r = timed(cmd, args, { cwd, env });
      walls[j]?.push(r.ms);
      if (r.status !== 0) throw new Error(`${args.join(" ")}: ${r.stderr}`);
      cpus[j]?.push(r.cpuMs);
    }
  }
  const mid = (xs: number[]) => xs.sort((a, b) => a - b)[Math.floor(xs.length / 2)] as number;
  return cmds.map((_, j): Sample => ({ wall: mid(walls[j] ?? []), cpu: mid(cpus[j] ?? []) }));
}

const sb = makeSandbox("braid-bench-");
try {
  const repo = makeRepo(sb, "app");
  const node = (args: string[]) => median(process.execPath, args, repo, sb.env);
  // What `status` with no sessions could not go below while it asked git where the repository is: node, commander,
  // one git spawn, as a CommonJS main file like bin/braid.js. It finds a plain repository on the file system now
  // (git/discover.ts), spawns nothing and writes through fs, so it can beat this.
  const statusFloor = join(sb.root, "status-floor.cjs");
  writeFileSync(
    statusFloor,
    `const { spawnSync } = require("node:child_process");
require(${JSON.stringify(join(REPO_ROOT, "node_modules", "commander"))});
spawnSync("git", ["rev-parse", "--git-dir"]);
process.stdout.write(JSON.stringify({ sessions: [] }) + "\\n");
`,
  );
  const [base, floor, help, status] = alternated(
    [
      [process.execPath, ["-e", "0"]],
      [process.execPath, [statusFloor]],
      [process.execPath, [BRAID_BIN, "--help"]],
      [process.execPath, [BRAID_BIN, "status", "--json"]],
    ],
    repo,
    sb.env,
  ) as [Sample, Sample, Sample, Sample];
  const line = (label: string, s: Sample) =>
    console.log(
      `${label.padEnd(50)} wall ${s.wall.toFixed(0).padStart(5)} ms (${(s.wall / base.wall).toFixed(2)}x node)   cpu ${s.cpu.toFixed(0).padStart(4)} ms (${(s.cpu / base.cpu).toFixed(2)}x node)`,
    );
  console.log(
    `runs: ${RUNS} (medians of alternated runs; cpu = user+sys incl. git children, 10 ms resolution; load average ${loadavg()[0]?.toFixed(1)})`,
  );
  line("node -e 0 (baseline)", base);
  line("old floor: node + commander + one git spawn", floor);
  line("braid --help", help);
  line("braid status --json (no sessions)", status);
  for (const [what, s, target] of [
    ["braid --help", help, "≤ 1.5×"],
    ["status --json, no sessions", status, "≤ 1.5×"],
    ["(old floor of status: node + commander + git rev-parse)", floor, "—"],
  ] as const) {
    summaryRow({ what: `${what} (wall)`, braid: s.wall, baseline: base.wall, baselineLabel: "node -e 0", target });
    summaryRow({ what: `${what} (cpu)`, braid: s.cpu, baseline: base.cpu, baselineLabel: "node -e 0 (cpu)", target });
  }
  for (const pkg of ["commander", "zod", "smol-toml", "ignore"]) {
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
  line("braid ls --json (no config file)", node([BRAID_BIN, "ls", "--json"]));
  if (BEFORE) line(`before: ${BEFORE} ls --json`, node([BEFORE, "ls", "--json"]));
  writeFileSync(join(repo, "braid.toml"), "max_code_sessions = 4\n");
  line("braid ls --json (braid.toml present: validated once, then cached)", node([BRAID_BIN, "ls", "--json"]));
  if (BEFORE) line(`before: ${BEFORE} ls --json (braid.toml)`, node([BEFORE, "ls", "--json"]));
} finally {
  sb.cleanup();
}
