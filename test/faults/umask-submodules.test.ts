/** Fault case 10: braid's own files are private whatever the umask; new worktrees get their submodules. */
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { existsSync, readFileSync, statSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { after, describe, it } from "node:test";
import { BRAID_BIN, braid, gitIn, makeRepo, makeSandbox } from "../helpers/env.js";
import { recordCase } from "./fault-kit.js";

describe("fault 10: umask 000 and submodules", () => {
  const sb = makeSandbox("braid-fault10-");
  after(() => sb.cleanup());

  it("with umask 000, state, notes, memory and trust are 0700/0600", () => {
    const repo = makeRepo(sb, "app", { "README.md": "# app\n", "braid.toml": 'setup = ["true"]\n' });
    const wf = join(sb.root, "wf");
    const env = { ...sb.env, BRAID_WORKFLOWS_DIR: wf };
    for (const args of [["new", "a", "--no-bootstrap"], ["note", "hello"], ["learn", "a fact"], ["trust"]]) {
      const r = spawnSync("sh", ["-c", 'umask 000; exec "$0" "$@"', process.execPath, BRAID_BIN, ...args], {
        cwd: repo,
        env,
        encoding: "utf8",
      });
      assert.equal(r.status, 0, `${args.join(" ")}: ${r.stderr}`);
    }
    const home = join(sb.home, ".local", "share", "braid");
    const paths = [
      join(repo, ".git", "braid"),
      join(repo, ".git", "braid", "state.json"),
      join(wf, "notes"),
      join(wf, "notes", "app.md"),
      join(wf, "memory"),
      join(wf, "memory", "app.md"),
      home,
      join(home, "trust.json"),
    ];
    const loose = paths.filter((p) => existsSync(p) && (statSync(p).mode & 0o077) !== 0);
    recordCase({ case: "10 umask 000", tried: paths.length, survived: paths.length - loose.length, workLost: 0 });
    assert.deepEqual(
      loose.map((p) => `${p} ${(statSync(p).mode & 0o777).toString(8)}`),
      [],
    );
  });

  it("a new worktree gets the submodules initialised in the main checkout; the others get a warning", async () => {
    const lib = makeRepo(sb, "lib", { "lib.txt": "library\n" });
    const other = makeRepo(sb, "other", { "o.txt": "o\n" });
    const repo = makeRepo(sb, "withsub");
    const allow = ["-c", "protocol.file.allow=always"];
    gitIn(sb, repo, ...allow, "submodule", "add", "-q", lib, "lib");
    gitIn(sb, repo, ...allow, "submodule", "add", "-q", other, "other");
    gitIn(sb, repo, "commit", "-qm", "submodules");
    // The user uses lib but not other in the main checkout.
    gitIn(sb, repo, "submodule", "deinit", "-q", "other");
    writeFileSync(
      join(sb.home, ".gitconfig"),
      `${readFileSync(join(sb.home, ".gitconfig"), "utf8")}[protocol "file"]\n\tallow = always\n`,
    );
    const r = await braid(sb, repo, ["new", "s"]);
    assert.equal(r.code, 0, r.stderr);
    assert.equal(readFileSync(join(sb.root, "withsub-s", "lib", "lib.txt"), "utf8"), "library\n");
    assert.ok(!existsSync(join(sb.root, "withsub-s", "other", "o.txt")));
    assert.match(r.stderr, /1 submodule\(s\) are not initialised in the main checkout/);
    recordCase({ case: "10 submodules in a new worktree", tried: 1, survived: 1, workLost: 0 });
  });
});
