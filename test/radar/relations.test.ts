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

  const commitFile = (dir: string, file: string) => {
    writeFileSync(join(dir, file), `${file}\n`);
    gitIn(sb, dir, "add", file);
    gitIn(sb, dir, "commit", "-qm", `add ${file}`);
  };

  /** status gives these [ahead, behind] for one, two and three, and asked git `calls` times for each kind. */
  const expectStatus = async (figures: Array<[number, number]>, calls: number, why: string) => {
    const s = await status();
    assert.deepEqual(
      s.views,
      ["one", "two", "three"].map((n, i) => [n, ...(figures[i] ?? [])]),
    );
    assert.deepEqual([s.mergeBases, s.revLists], [calls, calls], `merge-base and rev-list calls: ${why}`);
  };

  it("sessions on the base tip: 0 ahead, 0 behind, without asking git", async () => {
    await expectStatus(
      [
        [0, 0],
        [0, 0],
        [0, 0],
      ],
      0,
      "HEAD is the base tip",
    );
  });

  it("the base moves: one merge-base and one rev-list for the three sessions; a new commit in one costs one more", async () => {
    commitFile(repo, "b.txt");
    const behind: Array<[number, number]> = [
      [0, 1],
      [0, 1],
      [0, 1],
    ];
    await expectStatus(behind, 1, "one pair shared by three sessions");
    commitFile(join(sb.root, "app-one"), "c.txt");
    const committed: Array<[number, number]> = [
      [1, 1],
      [0, 1],
      [0, 1],
    ];
    await expectStatus(committed, 1, "only the new pair; the shared one is remembered");
    await expectStatus(committed, 0, "pairs seen before cost nothing");
  });
});
