import assert from "node:assert/strict";
import { test } from "node:test";
import type { SessionRecord } from "../../src/project/state.js";
import type { BoardData } from "../../src/ui/board/model.js";
import { mergeLive, PollingSource } from "../../src/ui/board/source.js";
import { VIEWS } from "../helpers/board-fixtures.js";

function record(name: string, order: number, status: SessionRecord["status"]): SessionRecord {
  return {
    name,
    order,
    status,
    statusSince: "2026-11-25T11:00:00.000Z",
    branch: `feature/${name}`,
    path: `/x/${name}`,
    baseRef: "main",
    baseCommit: "0".repeat(40),
    createdAt: "2026-11-25T10:00:00.000Z",
    type: "implementation",
  };
}

test("mergeLive: the registry's state wins and drops stale detail; unknown records get bare views; order follows the registry", () => {
  const slow = VIEWS.slice(0, 2); // auth working, billing waiting (detail: permission prompt)
  const merged = mergeLive(
    [record("new", 9, "created"), record("billing", 2, "working"), record("auth", 1, "working")],
    slow,
  );
  assert.deepEqual(
    merged.map((v) => [v.name, v.state]),
    [
      ["auth", "working"],
      ["billing", "working"],
      ["new", "created"],
    ],
  );
  assert.equal(merged[1]?.detail, null, "the permission-prompt detail belonged to the old state");
  assert.equal(merged[1]?.changedFiles, 2, "slow figures are kept");
  assert.equal(merged[0], slow[0], "unchanged views are the same objects (cheap re-render)");
  assert.equal(merged[2]?.ahead, null);
});

test("a hook's state change shows within a second even while the slow (git) load hangs", async () => {
  let status: SessionRecord["status"] = "working";
  const src = new PollingSource({
    project: "p",
    limit: 4,
    records: () => [record("auth", 1, status)],
    slow: () => new Promise(() => undefined), // never finishes
    liveMs: 100,
    slowMs: 10_000,
  });
  const seen: BoardData[] = [];
  const off = src.subscribe((d) => seen.push(d));
  try {
    await new Promise((r) => setTimeout(r, 250));
    const before = seen.length;
    assert.equal(src.current().views[0]?.state, "working");
    await new Promise((r) => setTimeout(r, 300));
    assert.equal(seen.length, before, "nothing changed: no redraw");
    const t0 = Date.now();
    status = "waiting";
    while (src.current().views[0]?.state !== "waiting" && Date.now() - t0 < 1000)
      await new Promise((r) => setTimeout(r, 20));
    assert.equal(src.current().views[0]?.state, "waiting");
    assert.ok(Date.now() - t0 < 1000, `took ${Date.now() - t0} ms`);
    assert.equal(seen.at(-1)?.views[0]?.state, "waiting", "listeners got it");
  } finally {
    off();
  }
});

test("slow figures arrive in the background and failures keep the last good data with an error", async () => {
  let fail = false;
  const src = new PollingSource({
    project: "p",
    limit: 4,
    records: () => [record("auth", 1, "working")],
    slow: async () => {
      if (fail) throw new Error("git exploded");
      return { views: [{ ...VIEWS[0], state: "working" } as (typeof VIEWS)[0]], recommendation: "ok", notes: [] };
    },
    liveMs: 50,
    slowMs: 100,
  });
  await src.load();
  assert.equal(src.current().views[0]?.changedFiles, 5);
  assert.equal(src.current().recommendation, "ok");
  fail = true;
  const off = src.subscribe(() => undefined);
  await new Promise((r) => setTimeout(r, 300));
  off();
  assert.match(src.current().error ?? "", /git exploded/);
  assert.equal(src.current().views[0]?.changedFiles, 5, "last good figures kept");
});
