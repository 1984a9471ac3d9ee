/** Fault case 1: `clean --merged` and `rm` against an agent that keeps committing. No commit may be lost. */
import assert from "node:assert/strict";
import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { after, describe, it } from "node:test";
import { deleteRefAt } from "../../src/session/remove.js";
import { braid, commitIn, gitIn, makeRepo, makeSandbox } from "../helpers/env.js";
import { braidPausedAt, commitsIn, recordCase, unreachable, useCommitterAgent, waitFor } from "./fault-kit.js";

describe("fault 1: clean/rm vs a live agent", () => {
  const sb = makeSandbox("braid-fault1-");
  after(() => sb.cleanup());
  const log = join(sb.root, "agent-commits.log");
  const go = join(sb.root, "agent-go");
  useCommitterAgent(sb, log, go);
  const repo = makeRepo(sb, "app");

  it("clean --merged stops the committing agent first; every commit it made stays reachable", async () => {
    assert.equal((await braid(sb, repo, ["new", "a", "--no-bootstrap"])).code, 0);
    commitIn(sb, join(sb.root, "app-a"), { "a.txt": "a\n" });
    gitIn(sb, repo, "merge", "-q", "--ff-only", "feature/a"); // integrated: clean would remove it
    const s = await braid(sb, repo, ["start", "a", "go", "--agent", "committer", "--headless"]);
    assert.equal(s.code, 0, s.stderr);
    // clean decides "integrated" while the agent is quiet, then the agent starts committing.
    const resume = join(sb.root, "resume-clean");
    const p = await braidPausedAt(sb, repo, ["clean", "--merged", "--json"], "clean-after-check", {
      BRAID_FAULT_RESUME: resume,
    });
    writeFileSync(go, "");
    await waitFor(() => commitsIn(log) >= 2, "the agent's first commits");
    writeFileSync(resume, "");
    assert.equal(await p.exited, 0, p.output().stderr);
    const r = p.output();
    const lost = unreachable(sb, repo, log);
    recordCase({
      case: "1 clean --merged vs committing agent",
      tried: 1,
      survived: lost.length ? 0 : 1,
      workLost: lost.length,
    });
    assert.deepEqual(lost, [], "commits the agent made are still reachable");
    const report = JSON.parse(r.stdout);
    // The agent committed after the merge: not integrated any more, so kept (and stopped).
    assert.equal(report.removed.length, 0, r.stdout);
    assert.match(JSON.stringify(report.kept), /agent was stopped first|not integrated/);
    const n = commitsIn(log);
    await new Promise((res) => setTimeout(res, 500));
    assert.equal(commitsIn(log), n, "the agent is stopped: no more commits");
  });

  it("rm --force stops the agent before removing; its commits go to a backup ref", async () => {
    assert.equal((await braid(sb, repo, ["new", "b", "--no-bootstrap"])).code, 0);
    const s = await braid(sb, repo, ["start", "b", "go", "--agent", "committer", "--headless"]);
    assert.equal(s.code, 0, s.stderr);
    const before = commitsIn(log);
    await waitFor(() => commitsIn(log) >= before + 3, "the agent's commits");
    const r = await braid(sb, repo, ["rm", "b", "--force", "--json"]);
    assert.equal(r.code, 0, r.stderr);
    assert.match(JSON.parse(r.stdout).backupRef ?? "", /^refs\/braid\/backup\/b\//);
    const lost = unreachable(sb, repo, log);
    recordCase({
      case: "1 rm --force vs committing agent",
      tried: 1,
      survived: lost.length ? 0 : 1,
      workLost: lost.length,
    });
    assert.deepEqual(lost, []);
  });

  it("a commit made between the check and the branch delete keeps the branch (compare-and-swap)", async () => {
    assert.equal((await braid(sb, repo, ["new", "c", "--no-bootstrap"])).code, 0);
    commitIn(sb, join(sb.root, "app-c"), { "c.txt": "c\n" });
    gitIn(sb, repo, "merge", "-q", "--ff-only", "feature/c");
    const resume = join(sb.root, "resume-delete");
    const p = await braidPausedAt(sb, repo, ["clean", "--merged", "--json"], "before-ref-delete", {
      BRAID_FAULT_RESUME: resume,
    });
    // While clean waits just before deleting, someone commits onto the branch.
    const tree = gitIn(sb, repo, "rev-parse", "feature/c^{tree}");
    const late = gitIn(sb, repo, "commit-tree", tree, "-p", "feature/c", "-m", "late commit");
    gitIn(sb, repo, "update-ref", "refs/heads/feature/c", late);
    writeFileSync(resume, "");
    await p.exited;
    assert.equal(gitIn(sb, repo, "rev-parse", "feature/c"), late, "the moved branch was not deleted");
    recordCase({ case: "1 branch moved during clean", tried: 1, survived: 1, workLost: 0 });
  });

  it("deleteRefAt refuses a ref that moved", async () => {
    const tip = gitIn(sb, repo, "rev-parse", "main");
    gitIn(sb, repo, "branch", "cas-test", tip);
    const other = gitIn(sb, repo, "commit-tree", `${tip}^{tree}`, "-p", tip, "-m", "x");
    gitIn(sb, repo, "update-ref", "refs/heads/cas-test", other);
    assert.equal(await deleteRefAt(repo, "refs/heads/cas-test", tip), false);
    assert.equal(gitIn(sb, repo, "rev-parse", "cas-test"), other);
    assert.equal(await deleteRefAt(repo, "refs/heads/cas-test", other), true);
  });
});
