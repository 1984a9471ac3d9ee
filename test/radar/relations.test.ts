// The radar asks git how a session's HEAD relates to its base only when it must: sessions sitting on the base tip
// (every fresh session) cost no merge-base and no rev-list, sessions sharing a (HEAD, base) pair cost one of each
// between them, and a pair seen before costs nothing. The figures stay what git says.
import assert from "node:assert/strict";
import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { before, describe, it } from "node:test";
import { braid, gitIn } from "../helpers/env.js";
import { type GitLog, installGitLog } from "../helpers/git-log.js";
import { useRepo } from "../helpers/suite.js";

interface View {
  name: string;
  ahead: number | null;
  behind: number | null;
}

describe("radar: merge bases and ahead/behind", () => {
  const { sb, repo } = useRepo("app", { "a.txt": "a\n" });
  let gitLog: GitLog;
  before(async () => {
    gitLog = installGitLog(join(sb.root, "shim"));
    for (const n of ["one", "two", "three"]) {
      const r = await braid(sb, repo, ["new", n]);
      assert.equal(r.code, 0, r.stderr);
    }
  });
  /** `braid status --json` through the logging git: each session's [name, ahead, behind] and the calls counted. */
  const status = async () => {
    gitLog.clear();
    const r = await braid(sb, repo, ["status", "--json"], { env: { PATH: `${gitLog.bin}:${process.env.PATH}` } });
    assert.equal(r.code, 0, r.stderr);
    const views = (JSON.parse(r.stdout) as { sessions: View[] }).sessions.map((s) => [s.name, s.ahead, s.behind]);
    const count = (c: string) => gitLog.subcommands().filter((s) => s === c).length;
    return { views, mergeBases: count("merge-base"), revLists: count("rev-list") };
  };

  it("sessions on the base tip: 0 ahead, 0 behind, without asking git", async () => {
    const s = await status();
    assert.deepEqual(s.views, [
      ["one", 0, 0],
      ["two", 0, 0],
      ["three", 0, 0],
    ]);
    assert.equal(s.mergeBases, 0);
    assert.equal(s.revLists, 0);
  });

  it("the base moves: one merge-base and one rev-list for the three sessions; a new commit in one costs one more", async () => {
    writeFileSync(join(repo, "b.txt"), "b\n");
    gitIn(sb, repo, "add", "b.txt");
    gitIn(sb, repo, "commit", "-qm", "base moves");
    const moved = await status();
    assert.deepEqual(moved.views, [
      ["one", 0, 1],
      ["two", 0, 1],
      ["three", 0, 1],
    ]);
    assert.equal(moved.mergeBases, 1, "one pair shared by three sessions");
    assert.equal(moved.revLists, 1);

    const one = join(sb.root, "app-one");
    writeFileSync(join(one, "c.txt"), "c\n");
    gitIn(sb, one, "add", "c.txt");
    gitIn(sb, one, "commit", "-qm", "work");
    const committed = await status();
    assert.deepEqual(committed.views, [
      ["one", 1, 1],
      ["two", 0, 1],
      ["three", 0, 1],
    ]);
    assert.equal(committed.mergeBases, 1, "only the new pair; the shared one is remembered");
    assert.equal(committed.revLists, 1);

    const again = await status();
    assert.deepEqual(again.views, committed.views);
    assert.equal(again.mergeBases + again.revLists, 0, "pairs seen before cost nothing");
  });
});
