import assert from "node:assert/strict";
import { spawn } from "node:child_process";
import { test } from "node:test";
import { measureTrees, parseStat, ResourceSampler } from "../../src/session/resources.js";

test("parseStat copes with spaces and parentheses in the command name", () => {
  const fields = ["S", "42", ...Array(9).fill("0"), "150", "50", ...Array(8).fill("0"), "1000", "0"];
  const s = parseStat(`123 (my (odd) cmd) ${fields.join(" ")}`);
  assert.deepEqual(s, { pid: 123, ppid: 42, ticks: 200, rssPages: 1000 });
  assert.equal(parseStat("garbage"), null);
});

test("a busy grandchild counts toward its root's CPU and memory; a gone pid gives nulls", async (t) => {
  if (process.platform !== "linux") return t.skip("needs /proc");
  // root (sleeping shell) -> node burning CPU
  const root = spawn(
    "sh",
    ["-c", `${JSON.stringify(process.execPath)} -e "const e=Date.now()+8000;while(Date.now()<e){}"`],
    {
      stdio: "ignore",
      detached: true,
    },
  );
  try {
    await new Promise((r) => setTimeout(r, 300));
    const pid = root.pid as number;
    const m = await measureTrees([pid, 999_999_999], 400);
    const r = m.get(pid);
    assert.ok(r?.cpuPercent !== null && (r?.cpuPercent ?? 0) > 30, `cpu ${r?.cpuPercent}`);
    assert.ok((r?.rssBytes ?? 0) > 10_000_000, `rss ${r?.rssBytes}`);
    assert.deepEqual(m.get(999_999_999), { cpuPercent: null, rssBytes: null });
    // the first sample of a sampler has memory but no CPU yet
    const first = new ResourceSampler().sample([pid]).get(pid);
    assert.equal(first?.cpuPercent, null);
    assert.ok((first?.rssBytes ?? 0) > 0);
  } finally {
    process.kill(-(root.pid as number), "SIGKILL");
  }
});
