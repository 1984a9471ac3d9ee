import assert from "node:assert/strict";
import { existsSync, lstatSync, mkdirSync, readFileSync, symlinkSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { after, before, describe, it } from "node:test";
import { braid, gitIn, isOneLineError, makeRepo, makeSandbox, type Sandbox, writeFiles } from "../helpers/env.js";

const ENV_DUMP = `'printf "%s|%s|%s|%s" "$BRAID_NAME" "$BRAID_BRANCH" "$BRAID_PATH" "$BRAID_MAIN_WORKTREE" > setup-env.txt'`;

describe("braid new: bootstrap", () => {
  let sb: Sandbox;
  let repo: string;
  const create = async (name: string, extra: string[] = []) => {
    const r = await braid(sb, repo, ["new", name, "--json", ...extra]);
    return { r, s: r.code === 0 ? JSON.parse(r.stdout) : null };
  };
  before(() => {
    sb = makeSandbox();
    repo = makeRepo(sb, "app", {
      ".gitignore": ".env\nbuild.log\nconfig/\ncache/\nnode_modules/\nvendor/\n",
      ".worktreeinclude": ".env\nconfig/*.json\ncache/\nnotes.txt\n",
      "src/index.js": "1\n",
      "vendor.txt": "tracked\n",
    });
    mkdirSync(join(sb.home, ".config", "braid"), { recursive: true });
    writeFileSync(join(sb.home, ".config", "braid", "config.toml"), "max_code_sessions = 64\n");
    writeFiles(repo, {
      ".env": "SECRET=1\n",
      "build.log": "not included\n",
      "notes.txt": "untracked but not ignored\n",
      "config/local.json": "{}\n",
      "config/other.yaml": "x: 1\n",
      "cache/a/b.bin": "cached\n",
      "node_modules/pkg/index.js": "module.exports = 1;\n",
      "node_modules/pkg/package.json": '{"name":"pkg"}\n',
      "node_modules/.bin/placeholder": "x\n",
    });
    symlinkSync("../pkg/index.js", join(repo, "node_modules/.bin/pkg"));
  });
  after(() => sb.cleanup());

  it("copies only paths that match .worktreeinclude AND are git-ignored", async () => {
    const { r, s } = await create("inc1");
    assert.equal(r.code, 0, r.stderr);
    assert.equal(readFileSync(join(s.path, ".env"), "utf8"), "SECRET=1\n");
    assert.ok(existsSync(join(s.path, "config/local.json")), "matching file inside an ignored dir");
    assert.ok(!existsSync(join(s.path, "config/other.yaml")), "non-matching file inside an ignored dir");
    assert.equal(readFileSync(join(s.path, "cache/a/b.bin"), "utf8"), "cached\n", "matching ignored dir, whole");
    assert.ok(!existsSync(join(s.path, "build.log")), "ignored but not listed");
    assert.ok(!existsSync(join(s.path, "notes.txt")), "listed but not ignored");
    assert.ok(!existsSync(join(s.path, "node_modules")), "not in copy config");
    assert.deepEqual([...s.bootstrap.included].sort(), [".env", "cache/", "config/local.json"]);
  });

  it("--no-bootstrap copies nothing", async () => {
    const { r, s } = await create("inc2", ["--no-bootstrap"]);
    assert.equal(r.code, 0, r.stderr);
    assert.equal(s.bootstrap, null);
    assert.ok(!existsSync(join(s.path, ".env")));
  });

  it("copies `copy` dirs as real, independent copies (no hardlinks), keeping symlinks", async () => {
    writeFileSync(join(repo, "braid.toml"), 'copy = ["node_modules", "vendor.txt", "missing"]\n');
    const { r, s } = await create("cp1");
    assert.equal(r.code, 0, r.stderr);
    const f = join(s.path, "node_modules/pkg/index.js");
    assert.equal(readFileSync(f, "utf8"), "module.exports = 1;\n");
    assert.equal(lstatSync(f).nlink, 1, "not a hardlink");
    assert.ok(lstatSync(join(s.path, "node_modules")).isDirectory());
    assert.ok(lstatSync(join(s.path, "node_modules/.bin/pkg")).isSymbolicLink());
    writeFileSync(f, "changed in the worktree\n");
    assert.equal(readFileSync(join(repo, "node_modules/pkg/index.js"), "utf8"), "module.exports = 1;\n");
    assert.equal(s.bootstrap.copied[0].path, "node_modules");
    assert.equal(s.bootstrap.copied[0].files, 3);
    const skipped = Object.fromEntries(
      s.bootstrap.skipped.map((k: { path: string; reason: string }) => [k.path, k.reason]),
    );
    assert.match(skipped["vendor.txt"], /not ignored/);
    assert.match(skipped.missing, /does not exist/);
  });

  it("copy_mode = symlink links the directory instead", async () => {
    writeFileSync(join(repo, "braid.toml"), 'copy = ["node_modules"]\ncopy_mode = "symlink"\n');
    const { r, s } = await create("ln1");
    assert.equal(r.code, 0, r.stderr);
    assert.ok(lstatSync(join(s.path, "node_modules")).isSymbolicLink());
    assert.equal(s.bootstrap.copied[0].mode, "symlink");
  });

  it("skips untrusted repository setup commands with a one-line warning naming `braid trust`", async () => {
    writeFileSync(join(repo, "braid.toml"), `setup = [${ENV_DUMP}]\n`);
    const { r, s } = await create("st1");
    assert.equal(r.code, 0, r.stderr);
    const lines = r.stderr.split("\n").filter((l) => /setup/.test(l));
    assert.equal(lines.length, 1);
    assert.match(lines[0] ?? "", /^warning: .*not trusted.*braid trust/);
    assert.ok(!existsSync(join(s.path, "setup-env.txt")));
    assert.equal(s.bootstrap.setup.trusted, false);
  });

  it("runs trusted setup commands in the new worktree with BRAID_* env", async () => {
    const t = await braid(sb, repo, ["trust", "--json"]);
    assert.equal(t.code, 0, t.stderr);
    assert.equal(JSON.parse(t.stdout).commands.length, 1);
    const { r, s } = await create("st2");
    assert.equal(r.code, 0, r.stderr);
    assert.doesNotMatch(r.stderr, /setup|trust/);
    assert.equal(readFileSync(join(s.path, "setup-env.txt"), "utf8"), `st2|feature/st2|${s.path}|${repo}`);
    const list = JSON.parse((await braid(sb, repo, ["trust", "--list", "--json"])).stdout);
    assert.equal(list.trusted.length, 1);
    assert.ok(!existsSync(join(repo, ".git", "braid", "trust.json")), "trust is stored outside the repo");
  });

  it("a changed command list needs trust again; --revoke withdraws it", async () => {
    writeFileSync(join(repo, "braid.toml"), `setup = [${ENV_DUMP}, "true"]\n`);
    const { r, s } = await create("st3");
    assert.equal(r.code, 0, r.stderr);
    assert.ok(!existsSync(join(s.path, "setup-env.txt")));
    assert.match(r.stderr, /braid trust/);
    const rv = await braid(sb, repo, ["trust", "--revoke", "--json"]);
    assert.equal(JSON.parse(rv.stdout).revoked, true);
    assert.equal(JSON.parse((await braid(sb, repo, ["trust", "--list", "--json"])).stdout).trusted.length, 0);
  });

  it("setup from the user's global config runs without trust", async () => {
    writeFileSync(join(repo, "braid.toml"), "");
    const globalDir = join(sb.home, ".config", "braid");
    mkdirSync(globalDir, { recursive: true });
    writeFileSync(join(globalDir, "config.toml"), `max_code_sessions = 64\nsetup = [${ENV_DUMP}]\n`);
    try {
      const { r, s } = await create("st4");
      assert.equal(r.code, 0, r.stderr);
      assert.ok(existsSync(join(s.path, "setup-env.txt")));
    } finally {
      writeFileSync(join(globalDir, "config.toml"), "max_code_sessions = 64\n");
    }
  });

  it("a failing setup keeps the worktree, exits non-zero and says how to retry or remove", async () => {
    writeFileSync(join(repo, "braid.toml"), `setup = ["touch ran-first", "exit 3", "touch never"]\n`);
    assert.equal((await braid(sb, repo, ["trust"])).code, 0);
    const r = await braid(sb, repo, ["new", "st5"]);
    assert.ok(isOneLineError(r), r.stderr);
    assert.match(r.stderr, /setup command `exit 3` failed \(exit 3\).*braid rm st5 --force/);
    const p = join(sb.root, "app-st5");
    assert.ok(existsSync(join(p, "ran-first")));
    assert.ok(!existsSync(join(p, "never")));
    assert.equal(gitIn(sb, p, "symbolic-ref", "--short", "HEAD"), "feature/st5");
    const ls = JSON.parse((await braid(sb, repo, ["ls", "--json"])).stdout);
    assert.ok(ls.worktrees.some((w: { session: string }) => w.session === "st5"));
  });
});
