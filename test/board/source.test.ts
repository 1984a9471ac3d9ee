import assert from "node:assert/strict";
import { test } from "node:test";
import type { SessionView } from "../../src/session/types.js";
import type { BoardData } from "../../src/ui/board/model.js";
import { mergeLive, PollingSource } from "../../src/ui/board/source.js";
import { VIEWS } from "../helpers/board-fixtures.js";

function live(name: string, order: number, state: SessionView["state"]): SessionView {
  return {
    ...(VIEWS[0] as SessionView),
    name,
    order,
    state,
    detail: null,
    ahead: null,
    behind: null,
    changedFiles: null,
    linesAdded: null,
    linesRemoved: null,
    tokens: null,
    costUsd: null,
    cpuPercent: null,
    rssBytes: null,
    conflictsWith: [],
    unreadNotes: 0,
  };
}

test("mergeLive: live views decide order and state; slow figures fill git, conflicts, notes, cost, resources", () => {
  const slow = VIEWS.slice(0, 2); // auth working, billing waiting (detail: permission prompt)
  const merged = mergeLive(
    [live("auth", 1, "working"), live("billing", 2, "working"), live("new", 9, "created")],
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
  assert.deepEqual(merged[0]?.conflictsWith, ["billing"]);
  assert.equal(merged[0]?.costUsd, 0.41);
  assert.equal(merged[0]?.rssBytes, 310 * 1024 * 1024);
  assert.equal(merged[1]?.unreadNotes, 2);
  assert.equal(merged[2]?.ahead, null, "no slow figures yet for a new session");
});

test("a hook's state change shows within a second even while the slow (git) load hangs", async () => {
  let status: SessionView["state"] = "working";
  const src = new PollingSource({
    project: "p",
    limit: 4,
    live: async () => [live("auth", 1, status)],
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
    live: async () => [live("auth", 1, "working")],
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
