// The bundled entries (scripts/bundle.mjs) that bin/braid.js runs: a hook event loads one file with
// neither zod nor commander, and none of node's socket, crypto or child-process modules when there is
// nothing to deliver; the CLI bundle still finds everything it locates from its own files' place.
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { after, describe, it } from "node:test";
import { readLive } from "../../src/session/live.js";
import { BRAID_BIN, braid, makeRepo, makeSandbox, REPO_ROOT } from "../helpers/env.js";

const HOOK_BUNDLE = join(REPO_ROOT, "dist", "bundle", "hook.js");

describe("bundled entries", () => {
  const sb = makeSandbox();
  after(() => sb.cleanup());

  // Stop: nothing to answer; UserPromptSubmit: no unread notes; PreToolUse Edit: the ownership guard allows.
  for (const [event, tool] of [
    ["Stop", undefined],
    ["UserPromptSubmit", undefined],
    ["PreToolUse", "Edit"],
  ] as const) {
    it(`a ${event} hook with nothing to say loads none of node's socket, stream, crypto or child_process modules`, () => {
      const repo = makeRepo(sb, `hooked-${event.toLowerCase()}`);
      const stateDir = join(repo, ".git", "braid");
      mkdirSync(join(stateDir, "run", "s1"), { recursive: true });
      // Records which of node's own modules the process loaded, at exit.
      const probe = join(sb.root, "probe.cjs");
      const out = join(sb.root, `loaded-${event}.json`);
      writeFileSync(
        probe,
        "process.on('exit', () => require('fs').writeFileSync(process.env.PROBE_OUT, JSON.stringify(process.moduleLoadList)));\n",
      );
      const input = {
        cwd: repo,
        session_id: "c",
        ...(tool ? { tool_name: tool, tool_input: { file_path: join(repo, "a.txt") } } : {}),
      };
      const r = spawnSync(process.execPath, ["-r", probe, BRAID_BIN, "hook", event], {
        cwd: repo,
        env: {
          ...sb.env,
          PROBE_OUT: out,
          BRAID_SESSION: "s1",
          BRAID_STATE_DIR: stateDir,
          BRAID_RUN_ID: "r1",
          BRAID_MAIN_WORKTREE: repo,
          BRAID_PROJECT: "hooked",
        },
        input: JSON.stringify(input),
        encoding: "utf8",
      });
      assert.equal(r.status, 0, r.stderr);
      assert.equal(r.stdout, "", "nothing to deliver or deny");
      assert.equal(readLive(stateDir, "s1")?.event, event, "the event was recorded");
      const loaded = JSON.parse(readFileSync(out, "utf8")) as string[];
      for (const heavy of ["net", "stream", "crypto", "child_process"])
        assert.ok(!loaded.includes(`NativeModule ${heavy}`), `node:${heavy} loaded by a ${event} hook`);
    });
  }

  it("the hook bundle holds neither zod nor commander, and imports only node built-ins and the cold config paths", () => {
    const text = readFileSync(HOOK_BUNDLE, "utf8");
    assert.doesNotMatch(text, /node_modules\/(zod|commander)\//);
    const imports = [...text.matchAll(/\bimport\(\s*"([^"]+)"\s*\)|^import .* from "([^"]+)";$/gm)].map(
      (m) => m[1] ?? m[2],
    );
    assert.deepEqual(
      [...new Set(imports)].filter((i) => !i?.startsWith("node:")).sort(),
      ["../src/project/config.js", "../src/project/context.js"],
      "everything else is inside the file",
    );
  });

  it("paths located from the modules' own files still resolve from the CLI bundle", async () => {
    const repo = makeRepo(sb, "located");
    // version.ts reads package.json, the help index sits next to dist/src/cli/help-index.js.
    const pkg = JSON.parse(readFileSync(join(REPO_ROOT, "package.json"), "utf8")) as { version: string };
    const v = await braid(sb, repo, ["--version"]);
    assert.equal(v.stdout.trim(), pkg.version);
    const s = await braid(sb, repo, ["status", "--json"]);
    assert.equal(s.code, 0, s.stderr);
    assert.deepEqual(JSON.parse(s.stdout), { sessions: [] });
  });
});
