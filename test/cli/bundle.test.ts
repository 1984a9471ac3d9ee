// The bundled entries (scripts/bundle.mjs) that bin/braid.js runs: a hook event loads one file with
// neither zod nor commander, and none of node's socket, crypto or child-process modules when there is
// nothing to deliver; a command's bundle runs from its code cache and finds everything it locates from its own
// files' place.
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { copyFileSync, existsSync, mkdirSync, readFileSync, statSync, symlinkSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { after, describe, it } from "node:test";
import { loadContext } from "../../src/project/context.js";
import { readLive } from "../../src/session/live.js";
import { braid, makeRepo, makeSandbox, REPO_ROOT } from "../helpers/env.js";

const BUNDLES = join(REPO_ROOT, "dist", "bundle");
/** What agents' hook commands run: a loader of HOOK_CODE. */
const HOOK_BUNDLE = join(BUNDLES, "hook.cjs");
const HOOK_CODE = join(
  BUNDLES,
  (JSON.parse(readFileSync(join(BUNDLES, "manifest.json"), "utf8")) as { hook: string }).hook,
);

/** Runs `node <args>` and returns its result and every file it `require`d (node's module registry at exit). */
function runRecordingRequires(
  sb: ReturnType<typeof makeSandbox>,
  args: string[],
  options: { cwd: string; env?: NodeJS.ProcessEnv; input?: string },
) {
  const probe = join(sb.root, "require-probe.cjs");
  writeFileSync(
    probe,
    "process.on('exit', () => require('fs').writeFileSync(process.env.PROBE_OUT, JSON.stringify([Object.keys(require.cache), process.moduleLoadList])));\n",
  );
  const out = join(sb.root, `required-${process.hrtime.bigint()}.json`);
  const r = spawnSync(process.execPath, ["-r", probe, ...args], {
    ...options,
    env: { ...sb.env, ...options.env, PROBE_OUT: out },
    encoding: "utf8",
  });
  assert.equal(r.status, 0, r.stderr);
  const [required, builtins] = JSON.parse(readFileSync(out, "utf8")) as [string[], string[]];
  /** Which of `names` (node's own modules) the process loaded. */
  const loadedBuiltins = (names: readonly string[]) => names.filter((n) => builtins.includes(`NativeModule ${n}`));
  return { r, required, loadedBuiltins };
}

/** node's modules a short command or hook should never need: sockets and streams (process.stdout), spawning. */
const HEAVY_BUILTINS = ["net", "stream", "crypto", "child_process"] as const;

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
      const input = {
        cwd: repo,
        session_id: "c",
        ...(tool ? { tool_name: tool, tool_input: { file_path: join(repo, "a.txt") } } : {}),
      };
      // As the agents' hook commands run it (claudeHookSettings): the bundle itself, no launcher.
      const { r, loadedBuiltins } = runRecordingRequires(sb, [HOOK_BUNDLE, event], {
        cwd: repo,
        env: {
          BRAID_SESSION: "s1",
          BRAID_STATE_DIR: stateDir,
          BRAID_RUN_ID: "r1",
          BRAID_MAIN_WORKTREE: repo,
          BRAID_PROJECT: "hooked",
        },
        input: JSON.stringify(input),
      });
      assert.equal(r.stdout, "", "nothing to deliver or deny");
      assert.equal(readLive(stateDir, "s1")?.event, event, "the event was recorded");
      assert.deepEqual(loadedBuiltins(HEAVY_BUILTINS), [], `what a ${event} hook loaded`);
    });
  }

  it("--help and --version to a pipe, and status in a repository without sessions, spawn nothing and load no stream", () => {
    const repo = makeRepo(sb, "short-commands");
    const bin = join(REPO_ROOT, "bin", "braid.js");
    for (const args of [["--help"], ["--version"], ["status", "--json"]]) {
      const { r, loadedBuiltins } = runRecordingRequires(sb, [bin, ...args], { cwd: repo });
      assert.ok(r.stdout.length > 0, `braid ${args.join(" ")} printed its answer`);
      assert.deepEqual(loadedBuiltins(HEAVY_BUILTINS), [], `what braid ${args.join(" ")} loaded`);
      if (args[0] === "status") assert.deepEqual(JSON.parse(r.stdout).sessions, []);
    }
  });

  it("the hook's code holds neither zod nor commander, nor any import(), and requires only built-ins and its cold paths", () => {
    const text = readFileSync(HOOK_CODE, "utf8");
    assert.doesNotMatch(text, /node_modules\/(zod|commander)\//);
    assert.doesNotMatch(text, /\bimport\(/, "code run from a code cache cannot import()");
    const required = [...text.matchAll(/\brequire\("([^"]+)"\)/g)].map((m) => m[1]);
    assert.deepEqual(
      [...new Set(required)].filter((r) => !r?.startsWith("node:")).sort(),
      ["./hook-config.cjs", "./hook-context.cjs"],
      "everything else is inside the file",
    );
    assert.match(readFileSync(HOOK_BUNDLE, "utf8"), new RegExp(`"${HOOK_CODE.split("/").pop()}"`), "hook.cjs runs it");
  });

  it("the ownership guard in the bundle loads picomatch only when a session owns paths, and denies by it", async () => {
    const repo = makeRepo(sb, "owned");
    writeFileSync(join(repo, "braid.toml"), 'guard = "deny"\n');
    for (const name of ["api", "ui"]) {
      const r = await braid(sb, repo, ["new", name, "--no-bootstrap"]);
      assert.equal(r.code, 0, r.stderr);
    }
    await (await loadContext(repo)).store.patch("api", { owns: ["src/api/**"] });
    const edit = (file: string) =>
      spawnSync(process.execPath, [HOOK_BUNDLE, "PreToolUse"], {
        cwd: repo,
        env: {
          ...sb.env,
          BRAID_SESSION: "ui",
          BRAID_STATE_DIR: join(repo, ".git", "braid"),
          BRAID_RUN_ID: "r1",
          BRAID_MAIN_WORKTREE: repo,
          BRAID_PROJECT: "owned",
        },
        input: JSON.stringify({
          cwd: repo,
          tool_name: "Edit",
          tool_input: { file_path: join(sb.root, "owned-ui", file) },
        }),
        encoding: "utf8",
      });
    const denied = edit("src/api/x.ts");
    assert.equal(denied.status, 0, denied.stderr);
    const out = JSON.parse(denied.stdout);
    assert.equal(out.hookSpecificOutput.permissionDecision, "deny");
    assert.match(out.hookSpecificOutput.permissionDecisionReason, /"api"/);
    assert.equal(edit("src/ui/y.ts").stdout, "", "a path nobody owns is allowed");
    assert.doesNotMatch(readFileSync(HOOK_CODE, "utf8"), /node_modules\/picomatch\//, "picomatch is not bundled in");
  });

  it("a hook whose config is not yet validated runs the validator from its cold bundle and answers", () => {
    const repo = makeRepo(sb, "cold-config");
    writeFileSync(join(repo, "braid.toml"), "max_code_sessions = 4\n");
    const stateDir = join(repo, ".git", "braid");
    mkdirSync(join(stateDir, "run", "s1"), { recursive: true });
    const { r, required } = runRecordingRequires(sb, [HOOK_BUNDLE, "SessionStart"], {
      cwd: repo,
      env: {
        BRAID_SESSION: "s1",
        BRAID_STATE_DIR: stateDir,
        BRAID_MAIN_WORKTREE: repo,
        BRAID_PROJECT: "cold-config",
      },
      input: JSON.stringify({ cwd: repo, session_id: "c", source: "startup" }),
    });
    assert.equal(JSON.parse(r.stdout).hookSpecificOutput.hookEventName, "SessionStart");
    const loaded = required.map((f) => f.split("/").pop());
    for (const f of ["hook-config.cjs", "zod.cjs"]) assert.ok(loaded.includes(f), `${f} was loaded: ${loaded}`);
  });

  it("status and ls load no module of the config validator (zod) once the config is cached, sessions or not", async () => {
    const repo = makeRepo(sb, "unvalidated");
    writeFileSync(join(repo, "braid.toml"), "max_code_sessions = 4\n");
    // The bundles reach zod only through dist/bundle/zod.cjs.
    const required = (args: string[]) =>
      runRecordingRequires(sb, [join(REPO_ROOT, "bin", "braid.js"), ...args], { cwd: repo }).required;
    const holdsZod = (files: string[]) => files.filter((f) => /dist\/bundle\/zod\.cjs$|node_modules\/zod\//.test(f));
    assert.notDeepEqual(holdsZod(required(["ls", "--json"])), [], "no session yet: the first run validates");
    assert.deepEqual(holdsZod(required(["ls", "--json"])), [], "and caches, though no session made the state dir");
    assert.equal((await braid(sb, repo, ["new", "one", "--no-bootstrap"])).code, 0);
    assert.equal((await braid(sb, repo, ["status", "--json"])).code, 0);
    assert.deepEqual(holdsZod(required(["status", "--json"])), [], "status loads no module that holds zod");
    // What the probe would see if one did: `config list` validates the file.
    assert.notDeepEqual(holdsZod(required(["config", "list", "--json"])), [], "config list loads the validator");
  });

  it("a command's bundle runs from V8's code cache the first run wrote; a damaged cache is rejected and rewritten", () => {
    const repo = makeRepo(sb, "cached");
    // A private copy of the launcher and the bundle, so no other test writes this cache meanwhile.
    const install = join(sb.root, "install");
    const bundles = join(install, "dist", "bundle");
    mkdirSync(join(install, "bin"), { recursive: true });
    mkdirSync(bundles, { recursive: true });
    for (const f of ["braid.js", "code-cache.cjs", "package.json"])
      copyFileSync(join(REPO_ROOT, "bin", f), join(install, "bin", f));
    const manifestText = readFileSync(join(REPO_ROOT, "dist", "bundle", "manifest.json"), "utf8");
    const bundle = (JSON.parse(manifestText) as { commands: Record<string, string> }).commands.recommend as string;
    writeFileSync(join(bundles, "manifest.json"), manifestText);
    for (const f of [bundle, "zod.cjs"]) copyFileSync(join(REPO_ROOT, "dist", "bundle", f), join(bundles, f));
    symlinkSync(join(REPO_ROOT, "dist", "src"), join(install, "dist", "src"));
    symlinkSync(join(REPO_ROOT, "package.json"), join(install, "package.json"));
    const cache = join(bundles, `${bundle}.v8`);
    const run = () => {
      const r = spawnSync(process.execPath, [join(install, "bin", "braid.js"), "recommend", "--json"], {
        cwd: repo,
        env: sb.env,
        encoding: "utf8",
      });
      assert.equal(r.status, 0, r.stderr);
      return JSON.parse(r.stdout) as { trackedFiles: number };
    };
    assert.equal(existsSync(cache), false);
    const first = run();
    assert.ok(existsSync(cache), "the run left a code cache next to its bundle");
    const written = statSync(cache).mtimeMs;
    assert.deepEqual(run(), first);
    assert.equal(statSync(cache).mtimeMs, written, "the second run used it (a rejected cache would be written again)");
    writeFileSync(cache, "not a code cache");
    assert.deepEqual(run(), first, "a damaged cache changes nothing the command does");
    assert.notEqual(readFileSync(cache, "utf8"), "not a code cache", "and is replaced");
  });

  it("no CommonJS command bundle holds an import(): a function compiled from a code cache could not run it", () => {
    const dir = join(REPO_ROOT, "dist", "bundle");
    const manifest = JSON.parse(readFileSync(join(dir, "manifest.json"), "utf8")) as {
      all: string;
      help: string;
      commands: Record<string, string>;
    };
    const files = [manifest.all, manifest.help, ...Object.values(manifest.commands)].filter((f) => f.endsWith(".cjs"));
    assert.ok(files.length > 30, "one bundle per command");
    for (const f of files)
      assert.doesNotMatch(readFileSync(join(dir, f), "utf8"), /\bimport\(\s*["'`]/, `${f} still says import(`);
  });

  it("status and ls load node:crypto only when something is hashed", () => {
    const repo = makeRepo(sb, "unhashed");
    for (const args of [
      ["status", "--json"],
      ["ls", "--json"],
    ]) {
      const { loadedBuiltins } = runRecordingRequires(sb, [join(REPO_ROOT, "bin", "braid.js"), ...args], { cwd: repo });
      if (args[0] === "ls") assert.deepEqual(loadedBuiltins(["child_process"]), ["child_process"], "the probe sees it");
      assert.deepEqual(loadedBuiltins(["crypto"]), [], `node:crypto loaded by braid ${args.join(" ")}`);
    }
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
