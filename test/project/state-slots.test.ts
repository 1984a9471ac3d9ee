// Registry updates happen inside the lock: feature slots of one session written by concurrent processes are
// all kept (StateStore.patchSlot), and a malformed slot bag is reported, not trusted.
import assert from "node:assert/strict";
import { spawn } from "node:child_process";
import { mkdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { describe, it } from "node:test";
import { pathToFileURL } from "node:url";
import { isBraidError } from "../../src/infra/errors.js";
import { type SessionExt, StateStore } from "../../src/project/state.js";
import { REPO_ROOT } from "../helpers/env.js";
import { useSandbox } from "../helpers/suite.js";

const STATE_MODULE = pathToFileURL(join(REPO_ROOT, "dist", "src", "project", "state.js")).href;
const WRITES = 30;

/** One writer process: appends 1..n to its own slot of session "s", one locked update per write. */
const WRITER = `
import { StateStore } from ${JSON.stringify(STATE_MODULE)};
const [dir, slot, n] = process.argv.slice(1);
const store = new StateStore(dir);
for (let i = 1; i <= Number(n); i++) await store.patchSlot("s", slot, (cur) => [...(cur ?? []), i]);
`;

function writer(dir: string, slot: string): Promise<number> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ["--input-type=module", "-e", WRITER, dir, slot, String(WRITES)], {
      stdio: ["ignore", "inherit", "inherit"],
    });
    child.on("error", reject);
    child.on("close", (code) => resolve(code ?? 1));
  });
}

function seed(dir: string, ext: unknown = { session: { runId: "r1", runner: "headless" } }): void {
  mkdirSync(dir, { recursive: true });
  const rec = {
    name: "s",
    branch: "feature/s",
    path: "/nowhere/s",
    baseRef: "main",
    baseCommit: "0".repeat(40),
    createdAt: new Date().toISOString(),
    order: 1,
    type: "implementation",
    status: "created",
    ext,
  };
  writeFileSync(join(dir, "state.json"), `${JSON.stringify({ version: 1, nextOrder: 2, sessions: [rec] })}\n`);
}

describe("registry slots", () => {
  const sb = useSandbox();

  it("two processes writing different slots of one session at once: both kept, nothing else lost", async () => {
    const dir = join(sb.root, "concurrent");
    seed(dir);
    const codes = await Promise.all([writer(dir, "alpha"), writer(dir, "beta")]);
    assert.deepEqual(codes, [0, 0]);
    const ext = new StateStore(dir).get("s")?.ext as Record<string, unknown>;
    const all = Array.from({ length: WRITES }, (_, i) => i + 1);
    assert.deepEqual(ext.alpha, all, "every write of the first process is there");
    assert.deepEqual(ext.beta, all, "every write of the second process is there");
    assert.deepEqual(ext.session, { runId: "r1", runner: "headless" }, "a slot nobody wrote is untouched");
  });

  it("patchSlot computes from the current value, removes on undefined, and ignores a vanished session", async () => {
    const dir = join(sb.root, "unit");
    seed(dir);
    const store = new StateStore(dir);
    const slot = "launchError" as keyof SessionExt;
    await store.patchSlot(slot, slot, () => "x" as never); // no session named like that: no-op
    await store.patchSlot("s", "launchError", () => "first");
    await store.patchSlot("s", "launchError", (cur) => `${cur} then second`);
    assert.equal(store.get("s")?.ext?.launchError, "first then second");
    await store.patchSlot("s", "launchError", () => undefined);
    assert.equal(store.get("s")?.ext && "launchError" in store.get("s")!.ext!, false);
    assert.deepEqual(store.sessions().length, 1);
  });

  it("a malformed ext is a corrupt registry with the fix, never trusted", () => {
    const dir = join(sb.root, "bad");
    seed(dir, ["not", "an", "object"]);
    assert.throws(
      () => new StateStore(dir).read(),
      (e: unknown) =>
        isBraidError(e) && /"ext" is an array, expected an object/.test(e.message) && /doctor --fix/.test(e.fix ?? ""),
    );
  });
});
