// Start-up paths that skip modules must print what the full program prints: the top-level help from the
// build's help index, and `status` with no session (the status code is not loaded then).
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { after, describe, it } from "node:test";
import { readHelpIndex } from "../../src/cli/help-index.js";
import { buildProgram } from "../../src/cli/program.js";
import { BRAID_BIN, braid, makeRepo, makeSandbox } from "../helpers/env.js";

describe("start-up fast paths", () => {
  const sb = makeSandbox();
  after(() => sb.cleanup());

  it("braid --help prints the full program's help without loading the command modules", async () => {
    assert.ok(readHelpIndex(), "the build step wrote a fresh help index");
    const fast = await buildProgram(["--help"]);
    const full = await buildProgram(["\0every-command"]);
    // Stand-ins have no action (nothing of the command modules was needed).
    assert.ok(fast.commands.length > 20);
    for (const c of fast.commands) assert.equal((c as unknown as { _actionHandler: unknown })._actionHandler, null);
    assert.equal(fast.helpInformation(), full.helpInformation());
    const repo = makeRepo(sb, "app");
    for (const argv of [["--help"], ["help"], ["-h"]]) {
      const r = await braid(sb, repo, argv);
      assert.equal(r.code, 0, r.stderr);
      assert.equal(r.stdout, full.helpInformation(), argv.join(" "));
    }
    const none = await braid(sb, repo, []);
    assert.equal(none.code, 2, "no command: help on stderr, usage exit code");
    assert.equal(none.stderr, full.helpInformation());
  });

  it("status --json with no session lists none, then the session once there is one", async () => {
    const repo = makeRepo(sb, "solo");
    const empty = await braid(sb, repo, ["status", "--json"]);
    assert.equal(empty.code, 0, empty.stderr);
    assert.deepEqual(JSON.parse(empty.stdout), { sessions: [] });
    const made = await braid(sb, repo, ["new", "one"]);
    assert.equal(made.code, 0, made.stderr);
    const one = await braid(sb, repo, ["status", "--json"]);
    assert.equal(one.code, 0, one.stderr);
    assert.deepEqual(
      JSON.parse(one.stdout).sessions.map((s: { name: string; changedFiles: number }) => [s.name, s.changedFiles]),
      [["one", 0]],
    );
  });

  for (const [argv, re] of [
    [["status", "--jsn"], /^braid: unknown option '--jsn' — did you mean --json\? \(`braid status --help`\)$/],
    [["stats"], /^braid: unknown command 'stats' — did you mean status\? \(`braid --help`\)$/],
    [["new", "-x"], /^braid: unknown option '-x' — see `braid new --help`$/],
    [["config", "get"], /^braid: missing required argument 'key' — see `braid config get --help`$/],
  ] as const) {
    it(`a usage error (braid ${argv.join(" ")}) is one line naming the fix, exit 2`, async () => {
      const repo = makeRepo(sb, `usage-${argv.join("-").replace(/[^a-z]/g, "")}`);
      const r = await braid(sb, repo, [...argv]);
      assert.equal(r.code, 2, r.stderr);
      assert.equal(r.stderr.trimEnd().split("\n").length, 1, r.stderr);
      assert.match(r.stderr.trimEnd(), re);
    });
  }
});

describe("failures under --json", () => {
  const sb = makeSandbox();
  after(() => sb.cleanup());

  it("print the error as JSON on stdout as well as the one line on stderr", async () => {
    const repo = makeRepo(sb, "errors");
    const missing = await braid(sb, repo, ["status", "nosuch", "--json"]);
    assert.equal(missing.code, 1);
    assert.deepEqual(JSON.parse(missing.stdout), {
      error: { message: 'no session named "nosuch"', fix: "create one with `braid new <name>`", exitCode: 1 },
    });
    assert.match(missing.stderr, /^braid: no session named "nosuch" — create one/);
    const usage = await braid(sb, repo, ["status", "--jsn", "--json"]);
    assert.equal(usage.code, 2);
    assert.deepEqual(JSON.parse(usage.stdout), {
      error: { message: "unknown option '--jsn'", fix: null, exitCode: 2 },
    });
    // Without --json, stdout stays empty; after `--` the flag belongs to another program.
    const plain = await braid(sb, repo, ["status", "nosuch"]);
    assert.equal(plain.stdout, "");
    const shell = await braid(sb, repo, ["shell", "nosuch", "--", "x", "--json"]);
    assert.notEqual(shell.code, 0);
    assert.equal(shell.stdout, "");
  });

  it("output into a pipe whose reader is gone ends quietly (no stack trace), for help and for a command", () => {
    const repo = makeRepo(sb, "piped");
    for (const args of ["--help", "ls --json", "status --json"]) {
      // `true` has exited (and closed the pipe) long before braid writes.
      const script = `{ sleep 0.3; "$0" "$1" ${args}; echo "exit $?" >&2; } | true`;
      const r = spawnSync("bash", ["-c", script, process.execPath, BRAID_BIN], {
        cwd: repo,
        env: sb.env,
        encoding: "utf8",
      });
      assert.equal(r.stderr, "exit 0\n", `braid ${args}`);
    }
  });
});
