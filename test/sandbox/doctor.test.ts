// braid doctor's sandbox checks with real bubblewrap, overlayfs and git: bubblewrap missing or refused its
// namespaces (each with its fix), and what a kill -9 of a sandboxed agent leaves — no mount anywhere, only the
// session's sandbox dir, which `doctor --fix` removes once its commits are safe in the repository.
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import {
  chmodSync,
  existsSync,
  mkdirSync,
  readdirSync,
  readFileSync,
  rmSync,
  symlinkSync,
  writeFileSync,
} from "node:fs";
import { join } from "node:path";
import { describe, it } from "node:test";
import type { Finding } from "../../src/doctor/doctor.js";
import { braid, gitIn, sh, waitFor } from "../helpers/env.js";
import { useRepo } from "../helpers/suite.js";

const haveBwrap = spawnSync("bwrap", ["--ro-bind", "/", "/", "true"]).status === 0;
const haveUnshare = spawnSync("unshare", ["-Urm", "true"]).status === 0;

describe("doctor: sandbox checks", { skip: !(haveBwrap && haveUnshare) && "bwrap or unshare not usable" }, () => {
  const { sb, repo } = useRepo("app", { "README.md": "# app\n", ".gitignore": "node_modules/\n" });
  const stateDir = () => join(repo, ".git", "braid");

  const config = (sandbox = "on", extra = "") => {
    const cfg = join(sb.home, ".config", "braid");
    mkdirSync(cfg, { recursive: true });
    writeFileSync(
      join(cfg, "config.toml"),
      `runner = "headless"\nsandbox = "${sandbox}"\ncopy = ["node_modules"]\ncopy_mode = "overlay"\n${extra}`,
    );
  };

  /** A PATH with git, sh and the tools doctor's other checks use, and `bwrap` only if given. */
  const pathWith = (name: string, bwrap?: string): string => {
    const bin = join(sb.root, name);
    if (existsSync(bin)) return bin;
    mkdirSync(bin, { recursive: true });
    for (const tool of ["git", "sh", "tmux", "unshare", "mount", "ps"]) {
      const at = spawnSync("sh", ["-c", `command -v ${tool}`], { encoding: "utf8" }).stdout.trim();
      if (at) symlinkSync(at, join(bin, tool));
    }
    if (bwrap) {
      writeFileSync(join(bin, "bwrap"), bwrap);
      chmodSync(join(bin, "bwrap"), 0o755);
    }
    return bin;
  };

  const doctor = async (args: string[], env: NodeJS.ProcessEnv = {}) => {
    const r = await braid(sb, repo, ["doctor", "--json", ...args], { env });
    return { code: r.code, findings: JSON.parse(r.stdout).findings as Finding[], stderr: r.stderr };
  };

  it("bubblewrap missing: an error naming the install, with sandbox = on", async () => {
    config();
    const r = await doctor([], { PATH: pathWith("bin-none") });
    const f = r.findings.find((x) => x.kind === "sandbox-unavailable");
    assert.ok(f, JSON.stringify(r.findings));
    assert.match(f.message, /bubblewrap is not installed/);
    assert.match(f.fix, /apt-get install bubblewrap/);
    assert.equal(f.severity, "error");
    assert.equal(f.fixable, false, "doctor cannot install it");
    assert.equal(r.code, 1);
  });

  it("user namespaces disabled: the finding says how to turn them on", async () => {
    // A bwrap that fails the way it does on a kernel without unprivileged user namespaces.
    const refusing = `#!/bin/sh\necho "bwrap: No permissions to creating new namespace, likely because the kernel does not allow non-privileged user namespaces." >&2\nexit 1\n`;
    const r = await doctor([], { PATH: pathWith("bin-refusing", refusing) });
    const f = r.findings.find((x) => x.kind === "sandbox-unavailable");
    assert.ok(f, JSON.stringify(r.findings));
    assert.match(f.message, /cannot create a sandbox here: bwrap: No permissions/);
    assert.match(f.fix, /user namespaces|user\.max_user_namespaces|userns/);
  });

  it("with sandbox = auto the same problem is a warning; with off, no finding", async () => {
    config("auto");
    const auto = await doctor([], { PATH: pathWith("bin-none") });
    assert.equal(auto.findings.find((x) => x.kind === "sandbox-unavailable")?.severity, "warning");
    config("off");
    const off = await doctor([], { PATH: pathWith("bin-none") });
    assert.equal(
      off.findings.find((x) => x.kind === "sandbox-unavailable"),
      undefined,
    );
  });

  it("kill -9 of a sandboxed agent leaves no mount; doctor --fix removes its dirs and keeps its commits", async () => {
    config(
      "on",
      `[agents.worker]\ncommand = ["sh", "-c", "echo w > node_modules/w.js && echo a > a.txt && git add a.txt && git commit -qm inside && exec sleep 300"]\n`,
    );
    mkdirSync(join(repo, "node_modules", "pkg"), { recursive: true });
    writeFileSync(join(repo, "node_modules", "pkg", "index.js"), "original\n");
    const r = await braid(sb, repo, ["start", "k", "--agent", "worker", "--json"]);
    assert.equal(r.code, 0, r.stderr);
    const wrapperPid = JSON.parse(r.stdout).session.ext.session.wrapperPid as number;
    const wt = join(sb.root, "app-k");
    // The commit made inside came back to the real branch (the wrapper syncs while the agent runs).
    await waitFor("the inside commit on feature/k", () =>
      gitIn(sb, repo, "log", "-1", "--format=%s", "feature/k") === "inside" ? true : null,
    );
    const layers = join(stateDir(), "sandbox", "k");
    assert.ok(existsSync(join(layers, "overlay", "node_modules", "upper", "w.js")), "the write went to the upper dir");
    // kill -9 of everything the session runs: the wrapper, bwrap, the agent (one process group, headless).
    process.kill(-wrapperPid, "SIGKILL");
    await waitFor("the session's processes gone", () => {
      const ps = spawnSync("ps", ["-o", "pid=", "-g", String(wrapperPid)], { encoding: "utf8" }).stdout.trim();
      return ps === "" ? true : null;
    });
    // The overlay lived in the agent's own mount namespace: nothing is mounted here, nor in any namespace left.
    assert.ok(!readFileSync("/proc/self/mountinfo", "utf8").includes(wt), "no mount of the worktree here");
    assert.ok(!readFileSync("/proc/self/mountinfo", "utf8").includes(layers), "no mount of the layers here");
    // A commit the wrapper never synced (killed before it could): made in the private git dir by hand.
    const priv = join(layers, "git");
    const tree = sh(sb, repo, "git", [`--git-dir=${priv}`, "rev-parse", "HEAD^{tree}"]).trim();
    const unsynced = sh(sb, repo, "git", [
      `--git-dir=${priv}`,
      "commit-tree",
      tree,
      "-p",
      "HEAD",
      "-m",
      "unsynced",
    ]).trim();
    sh(sb, repo, "git", [`--git-dir=${priv}`, "update-ref", "refs/heads/feature/k", unsynced]);
    // The session goes without braid rm: its worktree deleted behind braid's back.
    rmSync(wt, { recursive: true, force: true });
    const before = await doctor([]);
    const staleBefore = before.findings.find((x) => x.kind === "stale-sandbox-dir");
    // (The registry entry still names k until --fix drops it as vanished: then its dir is stale.)
    assert.equal(staleBefore, undefined, "a registered session's sandbox dir is not stale");
    const fixed = await doctor(["--fix"]);
    const stale = fixed.findings.find((x) => x.kind === "stale-sandbox-dir");
    assert.ok(stale?.fixed, JSON.stringify(fixed.findings));
    assert.ok(!existsSync(layers), "private git dir and overlay upper dirs are gone");
    assert.deepEqual(readdirSync(join(stateDir(), "sandbox")), []);
    // Nothing lost: the unsynced commit is kept under refs/braid/backup/k/.
    const backups = gitIn(sb, repo, "for-each-ref", "--format=%(objectname)", "refs/braid/backup/k/");
    assert.equal(backups, unsynced);
    assert.equal(readFileSync(join(repo, "node_modules", "pkg", "index.js"), "utf8"), "original\n");
    const again = await doctor([]);
    assert.equal(
      again.findings.filter((x) => x.severity !== "info").length,
      0,
      `nothing left to fix: ${JSON.stringify(again.findings)}`,
    );
  });
});
