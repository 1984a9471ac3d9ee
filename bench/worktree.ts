/**
 * Worktree creation benchmark: raw `git worktree add` vs `braid new` (without and with a node_modules
 * bootstrap) vs `cp -a node_modules` and the other copy methods braid can pick (parallel cp, tar pipe), vs
 * the overlay a sandboxed session gets with `copy_mode = "overlay"` (upper/work dirs made, overlayfs mounted in
 * a user + mount namespace, a file read through it: what a launch adds), and `braid new` taking a spare of the
 * pool (`pool = 1`), all measured in this run on one synthetic repository.
 *   node dist/bench/worktree.js [--quick] [--runs N]
 * Targets: braid new w/o bootstrap ≤ 1.1× raw add (same checkout workers); braid's copy ≤ the fastest method
 * measured; new with a spare ≤ 300 ms.
 */
import { spawnSync } from "node:child_process";
import { mkdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { COPY_METHODS, chooseMethod, copyTree, copyTreeWith } from "../src/worktree/copy.js";
import { BRAID_BIN, makeSandbox, type Sandbox } from "../test/helpers/env.js";
import { median, summaryRow } from "./summary.js";
import { timed } from "./timed.js";

const quick = process.argv.includes("--quick");
const runsArg = process.argv.indexOf("--runs");
const RUNS = runsArg > 0 ? Number(process.argv[runsArg + 1]) : quick ? 1 : 5;
const TRACKED = quick ? 500 : 20_000;
const MODULE_FILES = quick ? 800 : 30_000;

function runOut(sb: Sandbox, cwd: string, cmd: string, args: string[], input?: string): { ms: number; out: string } {
  const t0 = performance.now();
  const r = spawnSync(cmd, args, { cwd, env: sb.env, input, encoding: "utf8", maxBuffer: 1 << 28 });
  const ms = performance.now() - t0;
  if (r.status !== 0) throw new Error(`${cmd} ${args.join(" ")} failed: ${r.stderr}`);
  return { ms, out: r.stdout };
}

const run = (sb: Sandbox, cwd: string, cmd: string, args: string[], input?: string): number =>
  runOut(sb, cwd, cmd, args, input).ms;

/** Tracked files via one `git fast-import` stream (no 20k separate writes + `git add`). */
function makeRepo(sb: Sandbox): string {
  const repo = join(sb.root, "bench");
  mkdirSync(repo);
  run(sb, repo, "git", ["init", "-q"]);
  const parts: string[] = ["commit refs/heads/main", "committer bench <b@x> 1700000000 +0000", "data 5", "bench"];
  parts.push("M 100644 inline .gitignore", "data 14", "node_modules/");
  for (let i = 0; i < TRACKED; i++) {
    const body = `export const v${i} = ${i};\n`;
    parts.push(`M 100644 inline src/d${i % 200}/f${i}.ts`, `data ${Buffer.byteLength(body)}`, body.slice(0, -1));
  }
  run(sb, repo, "git", ["fast-import", "--quiet"], `${parts.join("\n")}\n`);
  run(sb, repo, "git", ["-c", "checkout.workers=0", "reset", "-q", "--hard", "main"]);
  // Ignored node_modules: many small files in many packages, like the real thing.
  const perPkg = 20;
  for (let p = 0; p < MODULE_FILES / perPkg; p++) {
    const dir = join(repo, "node_modules", `pkg${p}`, "lib");
    mkdirSync(dir, { recursive: true });
    for (let f = 0; f < perPkg; f++) writeFileSync(join(dir, `m${f}.js`), `module.exports = ${p * perPkg + f};\n`);
  }
  return repo;
}

const fmt = (ms: number) => `${(ms / 1000).toFixed(2)} s`;

async function main(): Promise<void> {
  const sb = makeSandbox("braid-bench-");
  // The bench fills the pool itself, between timed runs: no background filler competing with them.
  sb.env.BRAID_POOL_BACKGROUND = "0";
  try {
    const t0 = performance.now();
    const repo = makeRepo(sb);
    console.log(
      `synthetic repo: ${TRACKED} tracked files, ${MODULE_FILES} files in node_modules (${fmt(performance.now() - t0)} to generate)`,
    );
    const wt = (n: string) => join(sb.root, `wt-${n}`);
    // Flush the previous step's writes and deletes so they do not land in the next timed step.
    const settle = () => spawnSync("sync");
    const braid = (args: string[]) => run(sb, repo, process.execPath, [BRAID_BIN, ...args]);
    // One config for every run, as a user has: `--no-bootstrap` skips its copy.
    writeFileSync(
      join(repo, "braid.toml"),
      `worktree_path = "../wt-{name}"\ncheckout_workers = 0\ncopy = ["node_modules"]\n`,
    );
    // Warm the page cache, git's object access and braid's config cache once, untimed (kept, not deleted).
    run(sb, repo, "git", ["worktree", "add", "-q", "-b", "warm", wt("warm"), "main"]);
    braid(["new", "warm-braid", "--no-bootstrap"]);
    settle();

    const raw: number[] = [];
    const plain: number[] = [];
    const boot: number[] = [];
    const copyMs: number[] = [];
    const cpa: number[] = [];
    const nodeStart: number[] = [];
    const overlay: number[] = [];
    // The copy methods braid can pick, each on the same tree as `cp -a` (in this process: no node start-up).
    // "braid" is copyTree itself: the method it picks here, plus the picking (a clone probe, a small-tree check).
    const methods = [...COPY_METHODS.filter((m) => m !== "cp" && m !== "node"), "braid"] as const;
    const byMethod = new Map<string, number[]>(methods.map((m) => [m, []]));
    let picked = "";
    const methodStep = async (i: number) => {
      for (const m of i % 2 === 0 ? methods : [...methods].reverse()) {
        const src = join(repo, "node_modules");
        const dst = join(sb.root, `m-${m}${i}`);
        const t = performance.now();
        if (m === "braid") await copyTree(src, dst);
        else await copyTreeWith(m, src, dst);
        byMethod.get(m)?.push(performance.now() - t);
        if (m === "braid") picked = await chooseMethod(src);
        settle();
      }
    };
    // Nothing is deleted until every run is done: ext4 skips recently freed inodes when it allocates
    // new ones, so a timed step right after a big delete pays for it (measured: up to 2x here).
    // With user+sys CPU too (children included): this disk's writeback makes wall times swing 2× run to run.
    const rawCpu: number[] = [];
    const plainCpu: number[] = [];
    const timedStep = (walls: number[], cpus: number[], cmd: string, args: string[]) => {
      const r = timed(cmd, args, { cwd: repo, env: sb.env });
      if (r.status !== 0) throw new Error(`${cmd} ${args.join(" ")} failed: ${r.stderr}`);
      walls.push(r.ms);
      cpus.push(r.cpuMs);
      settle();
    };
    const rawStep = (i: number) =>
      timedStep(raw, rawCpu, "git", [
        ...["-c", "checkout.workers=0", "worktree", "add", "-q", "-b", `raw${i}`, wt(`raw${i}`), "main"],
      ]);
    const plainStep = (i: number) =>
      timedStep(plain, plainCpu, process.execPath, [BRAID_BIN, "new", `plain${i}`, "--no-bootstrap"]);
    const bootStep = (i: number) => {
      const b = runOut(sb, repo, process.execPath, [BRAID_BIN, "new", `boot${i}`, "--json"]);
      boot.push(b.ms);
      copyMs.push(JSON.parse(b.out).bootstrap.copied[0].ms);
      settle();
    };
    const cpStep = (i: number) => {
      const dst = join(sb.root, `cp${i}`);
      mkdirSync(dst);
      cpa.push(run(sb, repo, "cp", ["-a", "node_modules", dst]));
      settle();
    };
    // The same steps as a sandboxed launch: sandbox/overlay.ts's layer dirs and mount (its script, in short).
    const overlayStep = (i: number) => {
      const layer = join(sb.root, `ov${i}`);
      const mnt = join(layer, "mnt");
      const t0 = performance.now();
      for (const d of ["upper", "work", "mnt"]) mkdirSync(join(layer, d), { recursive: true });
      const opts = `lowerdir=${join(repo, "node_modules")},upperdir=${join(layer, "upper")},workdir=${join(layer, "work")},userxattr`;
      const script = 'mount -t overlay braid-overlay -o "$1" "$2" && test -f "$2/pkg0/lib/m0.js"';
      run(sb, repo, "unshare", ["-Urm", "--", "sh", "-c", script, "overlay", opts, mnt]);
      overlay.push(performance.now() - t0);
    };
    const haveOverlay = spawnSync("unshare", ["-Urm", "true"]).status === 0;
    // Each pair runs back to back, in alternating order, so drift falls on both sides equally.
    for (let i = 0; i < RUNS; i++) {
      nodeStart.push(run(sb, repo, process.execPath, ["-e", "0"]));
      for (const step of i % 2 === 0 ? [rawStep, plainStep] : [plainStep, rawStep]) step(i);
      for (const step of i % 2 === 0 ? [bootStep, cpStep] : [cpStep, bootStep]) step(i);
      if (haveOverlay) overlayStep(i);
      await methodStep(i);
    }
    // `new` taking a spare: pool = 1, the spare filled (untimed) before each timed `new`.
    writeFileSync(
      join(repo, "braid.toml"),
      `worktree_path = "../wt-{name}"\ncheckout_workers = 0\ncopy = ["node_modules"]\npool = 1\n`,
    );
    const spare: number[] = [];
    for (let i = 0; i < RUNS; i++) {
      braid(["pool", "fill"]);
      settle();
      const s = runOut(sb, repo, process.execPath, [BRAID_BIN, "new", `spare${i}`, "--json"]);
      if (!JSON.parse(s.out).spare) throw new Error(`braid new spare${i} did not take a spare`);
      spare.push(s.ms);
      settle();
    }
    braid(["pool", "clear"]);
    const r = median(raw);
    const p = median(plain);
    const b = median(boot);
    const c = median(cpa);
    const bootstrapOnly = median(copyMs);
    const pairRatio = (xs: number[], ys: number[]) => median(xs.map((x, i) => x / (ys[i] as number)));
    const list = (xs: number[]) => xs.map((x) => (x / 1000).toFixed(2)).join(" ");
    console.log(`runs: ${RUNS} (medians; ratios are medians of the per-run pairs)`);
    // braid is a node program: its floor is node's own start-up, which git does not pay.
    const caNote = process.env.NODE_EXTRA_CA_CERTS ? " (NODE_EXTRA_CA_CERTS is set: node loads it at every start)" : "";
    console.log(`node -e 0 (start-up floor)              ${fmt(median(nodeStart))}${caNote}`);
    console.log(`git worktree add (checkout.workers=0)   ${fmt(r)}   [${list(raw)}]`);
    console.log(`braid new --no-bootstrap                 ${fmt(p)}   [${list(plain)}]`);
    console.log(`  ratio vs raw add: ${pairRatio(plain, raw).toFixed(2)}x (target <= 1.10x)`);
    const cpuNote = Number.isNaN(median(rawCpu))
      ? ""
      : `${Math.round(median(plainCpu))} ms vs ${Math.round(median(rawCpu))} ms`;
    if (cpuNote)
      console.log(`  cpu (user+sys, children too): ${cpuNote}, ${(median(plainCpu) / median(rawCpu)).toFixed(2)}x`);
    // The part that does not grow with the repo: node's start-up, module loading, a few git spawns.
    const overhead = median(plain.map((x, i) => x - (raw[i] as number)));
    console.log(
      `  braid's fixed cost over raw add: ${Math.round(overhead)} ms (node start-up alone: ${Math.round(median(nodeStart))} ms)`,
    );
    console.log(`braid new + node_modules bootstrap       ${fmt(b)}`);
    console.log(`  node_modules copy (braid's report)     ${fmt(bootstrapOnly)}   [${list(copyMs)}]`);
    console.log(`cp -a node_modules                       ${fmt(c)}   [${list(cpa)}]`);
    console.log(`  bootstrap copy / cp -a: ${pairRatio(copyMs, cpa).toFixed(2)}x (target < 1.00x)`);
    if (haveOverlay) {
      console.log(`overlay bootstrap (copy_mode = overlay)   ${fmt(median(overlay))}   [${list(overlay)}]`);
      console.log(
        `  overlay / cp -a: ${pairRatio(overlay, cpa).toFixed(3)}x, overlay / braid's copy: ${pairRatio(overlay, copyMs).toFixed(3)}x`,
      );
    } else console.log("overlay bootstrap: skipped (no unprivileged user + mount namespaces here)");
    for (const [m, xs] of byMethod)
      console.log(
        `copy method ${(m === "braid" ? `braid (${picked})` : m).padEnd(20)}        ${fmt(median(xs))}   [${list(xs)}]  / cp -a: ${pairRatio(xs, cpa).toFixed(2)}x`,
      );
    const braidCopy = median(byMethod.get("braid") ?? []);
    const fastest = Math.min(c, ...[...byMethod].filter(([m]) => m !== "braid").map(([, xs]) => median(xs)));
    console.log(
      `braid new taking a spare (pool = 1)       ${fmt(median(spare))}   [${list(spare)}] (target <= 0.30 s)`,
    );
    summaryRow({
      what: "new --no-bootstrap, 20k files",
      braid: p,
      baseline: r,
      baselineLabel: "git worktree add",
      target: "≤ 1.1×",
    });
    if (cpuNote)
      summaryRow({
        what: "new --no-bootstrap, 20k files (cpu)",
        braid: median(plainCpu),
        baseline: median(rawCpu),
        baselineLabel: "git worktree add (cpu)",
        target: "≤ 1.1×",
      });
    summaryRow({
      what: `copy of a ${MODULE_FILES}-file node_modules, braid picks ${picked} (fastest measured ${Math.round(fastest)} ms)`,
      braid: braidCopy,
      baseline: c,
      baselineLabel: "cp -a",
      target: "≤ fastest safe method",
    });
    summaryRow({
      what: "new taking a spare (pool = 1)",
      braid: median(spare),
      baseline: b,
      baselineLabel: "new with bootstrap, no spare",
      target: "≤ 300 ms",
    });
  } finally {
    sb.cleanup();
  }
}

await main();
