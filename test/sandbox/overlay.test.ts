// copy_mode = "overlay" with real bubblewrap, overlayfs and git: a sandboxed session's node_modules is the main
// worktree's under an overlay — there at once, its writes land in the session's upper dir and never in the
// original; `braid shell` sees the same overlay; an unsandboxed session gets a copy; `braid rm` removes the layers.
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { existsSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { describe, it } from "node:test";
import { braid, gitIn, waitFor } from "../helpers/env.js";
import { useRepo } from "../helpers/suite.js";

const haveBwrap = spawnSync("bwrap", ["--ro-bind", "/", "/", "true"]).status === 0;
const haveOverlay = (() => {
  const r = spawnSync("sh", [
    "-c",
    'd=$(mktemp -d) && mkdir "$d/l" "$d/u" "$d/w" "$d/m" && unshare -Urm mount -t overlay o -o "lowerdir=$d/l,upperdir=$d/u,workdir=$d/w" "$d/m"; s=$?; rm -rf "$d"; exit $s',
  ]);
  return r.status === 0;
})();

describe("copy_mode = overlay", { skip: !(haveBwrap && haveOverlay) && "bwrap or overlayfs not usable" }, () => {
  const { sb, repo } = useRepo("app", { "README.md": "# app\n", ".gitignore": "node_modules/\nseen.txt\n" });
  const stateDir = () => join(repo, ".git", "braid");

  const setUp = () => {
    mkdirSync(join(repo, "node_modules", "pkg"), { recursive: true });
    writeFileSync(join(repo, "node_modules", "pkg", "index.js"), "original\n");
    const cfg = join(sb.home, ".config", "braid");
    mkdirSync(cfg, { recursive: true });
    // The agent writes into the overlaid dir, reads it back, and leaves what it saw in the worktree.
    writeFileSync(
      join(cfg, "config.toml"),
      `runner = "headless"\nsandbox = "on"\ncopy = ["node_modules"]\ncopy_mode = "overlay"\n` +
        `[agents.writer]\ncommand = ["sh", "-c", "rm -rf node_modules/pkg && mkdir node_modules/pkg && echo changed > node_modules/pkg/index.js && echo mine > node_modules/new.js && cat node_modules/pkg/index.js node_modules/new.js > seen.txt"]\n`,
    );
  };

  async function runOnce(name: string, extra: string[]): Promise<Record<string, unknown>> {
    const r = await braid(sb, repo, ["start", name, "--agent", "writer", "--json", ...extra]);
    assert.equal(r.code, 0, r.stderr);
    const out = JSON.parse(r.stdout);
    await waitFor(`${name} done`, async () => {
      const st = await braid(sb, repo, ["status", name, "--json"]);
      return ["done", "failed"].includes(JSON.parse(st.stdout).sessions[0].state);
    });
    return out;
  }

  it("a sandboxed session sees the original at once and its own writes; the original stays untouched", async () => {
    setUp();
    const out = await runOnce("ov", []);
    assert.deepEqual(
      (out.bootstrap as { copied: Array<{ path: string; mode: string; files: number }> }).copied.map((c) => [
        c.path,
        c.mode,
        c.files,
      ]),
      [["node_modules", "overlay", 0]],
      "nothing was copied",
    );
    const wt = join(sb.root, "app-ov");
    assert.equal(readFileSync(join(wt, "seen.txt"), "utf8"), "changed\nmine\n", "the session sees its own writes");
    assert.equal(readFileSync(join(repo, "node_modules", "pkg", "index.js"), "utf8"), "original\n");
    assert.ok(!existsSync(join(repo, "node_modules", "new.js")), "the original dir got nothing");
    assert.deepEqual(readdirSync(join(wt, "node_modules")), [], "outside the sandbox the mount point is empty");
    const upper = join(stateDir(), "sandbox", "ov", "overlay", "node_modules", "upper");
    assert.equal(readFileSync(join(upper, "new.js"), "utf8"), "mine\n", "writes land in the session's upper dir");
    // braid shell: the same overlay, the session's writes still there.
    const sh = await braid(sb, repo, [
      "shell",
      "ov",
      "--",
      "sh",
      "-c",
      "cat node_modules/pkg/index.js; ls node_modules",
    ]);
    assert.equal(sh.code, 0, sh.stderr);
    assert.equal(sh.stdout, "changed\nnew.js\npkg\n");
  });

  it("a change in the main worktree's dir shows through where the session did not write", async () => {
    mkdirSync(join(repo, "node_modules", "later"));
    writeFileSync(join(repo, "node_modules", "later", "index.js"), "later\n");
    writeFileSync(join(repo, "node_modules", "pkg", "extra.js"), "hidden\n");
    const sh = await braid(sb, repo, [
      "shell",
      "ov",
      "--",
      "sh",
      "-c",
      "cat node_modules/later/index.js; ls node_modules/pkg",
    ]);
    // pkg was removed and made anew by the session (an opaque dir in its upper layer): the original's new file stays out.
    assert.equal(sh.stdout, "later\nindex.js\n", sh.stderr);
  });

  it("an unsandboxed session gets a copy", async () => {
    await runOnce("plain", ["--no-sandbox"]);
    const wt = join(sb.root, "app-plain");
    assert.equal(readFileSync(join(wt, "seen.txt"), "utf8"), "changed\nmine\n");
    assert.equal(readFileSync(join(wt, "node_modules", "pkg", "index.js"), "utf8"), "changed\n", "its own copy");
    assert.equal(readFileSync(join(repo, "node_modules", "pkg", "index.js"), "utf8"), "original\n");
  });

  it("braid rm removes the session's layers", async () => {
    const layers = join(stateDir(), "sandbox", "ov");
    assert.ok(existsSync(layers));
    const r = await braid(sb, repo, ["rm", "ov", "--force"]);
    assert.equal(r.code, 0, r.stderr);
    assert.ok(!existsSync(layers), "upper dirs and the private git dir are gone");
    assert.equal(gitIn(sb, repo, "branch", "--list", "feature/ov"), "");
  });
});
