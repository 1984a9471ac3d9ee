/**
 * `braid merge` of 5 done sessions without verify (the checkout-free train) against 5 × `git merge --no-ff`
 * in a plain checkout of an identical repo, measured in the same run (medians over rounds, a fresh repo
 * pair each round).
 *   npm run bench -- merge [files-per-repo] [rounds]
 */
import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { braid, gitIn, makeRepo, makeSandbox } from "../test/helpers/env.js";
import { manyFiles, sessionsWithOneCommit } from "./sessions.js";
import { median, summaryRow } from "./summary.js";

const FILES = Number(process.argv[2] ?? 20000);
const ROUNDS = Number(process.argv[3] ?? 3);
const SESSIONS = 5;

const files = manyFiles(FILES);

async function round(k: number): Promise<{ braid: number; git: number }> {
  const sb = makeSandbox("braid-bench-merge-");
  try {
    const repo = makeRepo(sb, "app", files);
    const plain = makeRepo(sb, "plain", files);
    await sessionsWithOneCommit(sb, repo, SESSIONS);
    for (let i = 1; i <= SESSIONS; i++) {
      // the same change on a plain branch
      gitIn(sb, plain, "checkout", "-q", "-b", `f${i}`, "main");
      writeFileSync(join(plain, `src/d${i}/f${i}.txt`), `changed by s${i}\n`);
      gitIn(sb, plain, "commit", "-qam", `s${i} work`);
    }
    gitIn(sb, plain, "checkout", "-q", "main");
    const names = Array.from({ length: SESSIONS }, (_, i) => `s${i + 1}`);
    // alternate which goes first, so neither always gets the warmer cache
    const timeGit = () => {
      const t = performance.now();
      for (let i = 1; i <= SESSIONS; i++) gitIn(sb, plain, "merge", "-q", "--no-ff", "-m", `merge f${i}`, `f${i}`);
      return performance.now() - t;
    };
    const timeBraid = async () => {
      const t = performance.now();
      const r = await braid(sb, repo, ["merge", ...names, "--json"]);
      const ms = performance.now() - t;
      if (r.code !== 0) throw new Error(r.stderr + r.stdout);
      if (!JSON.parse(r.stdout).moved) throw new Error("the base did not move");
      return ms;
    };
    if (k % 2) {
      const g = timeGit();
      return { git: g, braid: await timeBraid() };
    }
    const b = await timeBraid();
    return { braid: b, git: timeGit() };
  } finally {
    sb.cleanup();
  }
}

/**
 * With verify (`true`): a first train of two sessions checks the integration worktree out (cold), a second train of
 * two more moves the kept one on by checkout (warm).
 */
async function verifyTrains(): Promise<{ cold: number; warm: number }> {
  const sb = makeSandbox("braid-bench-merge-verify-");
  try {
    const repo = makeRepo(sb, "app", files);
    await sessionsWithOneCommit(sb, repo, 4);
    const train = async (names: string[]) => {
      const t = performance.now();
      const r = await braid(sb, repo, ["merge", ...names, "--verify", "true", "--json"]);
      const ms = performance.now() - t;
      if (r.code !== 0 || !JSON.parse(r.stdout).moved) throw new Error(r.stderr + r.stdout);
      return ms;
    };
    return { cold: await train(["s1", "s2"]), warm: await train(["s3", "s4"]) };
  } finally {
    sb.cleanup();
  }
}

async function main(): Promise<void> {
  const braidMs: number[] = [];
  const gitMs: number[] = [];
  for (let k = 0; k < ROUNDS; k++) {
    const r = await round(k);
    braidMs.push(r.braid);
    gitMs.push(r.git);
  }
  const b = median(braidMs);
  const g = median(gitMs);
  console.log(`repo: ${FILES} files, ${SESSIONS} sessions, ${ROUNDS} rounds`);
  console.log(
    `braid merge (no verify)     median ${b.toFixed(0)} ms  [${braidMs.map((x) => x.toFixed(0)).join(", ")}]`,
  );
  console.log(`5 x git merge --no-ff       median ${g.toFixed(0)} ms  [${gitMs.map((x) => x.toFixed(0)).join(", ")}]`);
  console.log(`ratio ${(b / g).toFixed(2)}x`);
  const v = await verifyTrains();
  console.log(`braid merge --verify true, 2 sessions: cold ${v.cold.toFixed(0)} ms, warm ${v.warm.toFixed(0)} ms`);
  summaryRow({
    what: `merge of 2 sessions with verify, warm integration worktree (${FILES} files)`,
    braid: v.warm,
    baseline: v.cold,
    baselineLabel: "the same train, cold (new checkout)",
    target: "< 1× (no full checkout)",
  });
  summaryRow({
    what: `merge of ${SESSIONS} sessions, no verify (${FILES} files)`,
    braid: b,
    baseline: g,
    baselineLabel: `${SESSIONS} × git merge --no-ff`,
    target: "≤ 1.5×",
  });
}

main().catch((e) => {
  console.error(e);
  process.exit(1);
});
