/**
 * The README quick start, walked as a user would, with the real Claude Code CLI (offline, scripted by the
 * model stub) in tmux. The user lives in tmux: every braid command runs from a pane of the user's own tmux
 * server (TMUX and TMUX_PANE point at it; the board runs in one of its panes), while the sessions' agents run
 * on braid's private server (BRAID_TMUX_SOCKET, given to `start` only: later commands must find the sessions
 * by the server recorded at launch).
 *
 * recommend → start auth, api, research (read-only) → status → board (keys through tmux) → note → send (the
 * note arrives with api's next prompt) → learn → conflicts → finish --verify "npm test" --commit-wip → stop
 * research, clean → the end state of main, worktrees, branches, the registry and the tmux server.
 *
 * Steps that need work from other parts of issue 12 probe for it and skip only their own assertions, marked
 * `// NEEDS: <feature>`, so the test passes before that work is merged and checks it fully after.
 */
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { existsSync, mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { test } from "node:test";
import { CLAUDE_BIN, claudeAvailable, claudeEnv, prepareClaudeHome, TmuxTestServer } from "../helpers/claude.js";
import { BRAID_BIN, braid, gitIn, makeRepo, makeSandbox, REPO_ROOT, type RunResult } from "../helpers/env.js";
import { requestContains, type StubRequest, startModelStub } from "../helpers/model-stub.js";

/** Generous: real Claude under a loaded 2-core machine. */
const LONG = 120_000;

interface View {
  name: string;
  type: string;
  state: string;
  detail: string | null;
  ahead: number | null;
  changedFiles: number | null;
}

const FILES: Record<string, string> = {
  "README.md": "# myapp\n",
  "package.json": `${JSON.stringify({ name: "myapp", private: true, scripts: { test: "node test.js" } }, null, 2)}\n`,
  "test.js": [
    'const { existsSync } = require("node:fs");',
    "// the app's whole test suite: every module that exists must load",
    'for (const m of ["./src/auth/login.js", "./src/api/routes.js"]) if (existsSync(m)) require(m);',
    'console.log("tests passed");',
    "",
  ].join("\n"),
  "src/auth/.keep": "",
  "src/api/.keep": "",
};

const NOTE = "Auth API ready at /api/auth/*";
const LEARNING = "Run npm test before committing";

test("the README quick start with real Claude Code, braid run from the user's own tmux", {
  timeout: 600_000,
}, async (t) => {
  if (!claudeAvailable()) return t.skip("claude CLI not installed");
  const sb = makeSandbox();
  const stub = await startModelStub();
  const agents = new TmuxTestServer(sb, "agents"); // braid's private server for the sessions
  const user = new TmuxTestServer(sb, "user"); // the user's own tmux, where braid is typed
  try {
    const repo = makeRepo(sb, "myapp", FILES);
    const wt = (name: string) => join(sb.root, `myapp-${name}`);
    prepareClaudeHome(sb.home, { trustedPaths: ["auth", "api", "research"].map(wt) });

    // NEEDS: autonomy (issue 12 point 3: implementation sessions edit and commit without asking). Until then
    // the user allows the tools the scripted agents use in ~/.claude/settings.json, as a user could.
    const start = await braid(sb, repo, ["start", "--help"]);
    if (!start.stdout.includes("--autonomy")) {
      t.diagnostic("NEEDS autonomy: allowing Write and git in ~/.claude/settings.json instead");
      mkdirSync(join(sb.home, ".claude"), { recursive: true });
      writeFileSync(
        join(sb.home, ".claude", "settings.json"),
        JSON.stringify({ permissions: { allow: ["Write", "Edit", "Bash(git add:*)", "Bash(git commit:*)"] } }),
      );
    }

    // The scripted agents: auth writes and commits; api writes and leaves it uncommitted (finish --commit-wip
    // commits it), then answers the text `braid send` types; research only reads and answers.
    stub.scriptForCwd(wt("auth"), [
      {
        text: "Writing the login module.",
        toolUse: {
          name: "Write",
          input: { file_path: join(wt("auth"), "src/auth/login.js"), content: "exports.login = () => true;\n" },
        },
      },
      { toolUse: { name: "Bash", input: { command: "git add -A", description: "stage" } } },
      { toolUse: { name: "Bash", input: { command: "git commit -q -m 'auth: login'", description: "commit" } } },
      { text: "Auth is done: login at /api/auth/login." },
    ]);
    stub.scriptForCwd(wt("api"), [
      {
        text: "Writing the routes.",
        toolUse: {
          name: "Write",
          input: { file_path: join(wt("api"), "src/api/routes.js"), content: "exports.routes = ['/api/items'];\n" },
        },
      },
      { text: "Routes written." },
      { text: "Noted: the routes will use the auth API." },
    ]);
    stub.scriptForCwd(wt("research"), [{ text: "Findings: there is no caching today; every request reads disk." }]);

    // The user's tmux: one pane with a shell; braid commands run as if typed there.
    const shellPane = user.newSession("main", repo, ["sleep", "3600"]);
    const userTmux = user
      .tmux("display-message", "-p", "-t", shellPane, "#{socket_path},#{pid},#{session_id}")
      .trim()
      .replace(",$", ",");
    const env: NodeJS.ProcessEnv = {
      ...claudeEnv(sb, stub.url),
      PATH: `${dirname(CLAUDE_BIN)}:${process.env.PATH ?? ""}`,
      TMUX: userTmux,
      TMUX_PANE: shellPane,
    };
    const startEnv = { ...env, BRAID_TMUX_SOCKET: agents.socket };
    // NEEDS: tmux socket identity (issue 12 point 1): sessions record their server at launch, so commands
    // without BRAID_TMUX_SOCKET find them. Until then every command is given the socket.
    let later = env;
    const run = (args: string[], e = later): Promise<RunResult> => braid(sb, repo, args, { env: e, timeoutMs: LONG });
    const ok = async (args: string[], e = later): Promise<RunResult> => {
      const r = await run(args, e);
      assert.equal(r.code, 0, `braid ${args.join(" ")} exited ${r.code}:\n${r.stdout}\n${r.stderr}`);
      return r;
    };
    const views = async (): Promise<Map<string, View>> => {
      const r = await ok(["status", "--json"]);
      return new Map((JSON.parse(r.stdout) as { sessions: View[] }).sessions.map((v) => [v.name, v]));
    };
    const until = async (what: string, pred: (v: Map<string, View>) => boolean): Promise<Map<string, View>> => {
      const deadline = Date.now() + LONG;
      let last = new Map<string, View>();
      while (Date.now() < deadline) {
        last = await views();
        if (pred(last)) return last;
        await new Promise((r) => setTimeout(r, 500));
      }
      const seen = [...last.values()].map((v) => `${v.name}: ${v.state} ${v.detail ?? ""}`).join("; ");
      const screens = ["auth", "api", "research"].map((n) => `--- ${n}\n${agentScreen(n)}`).join("\n");
      throw new Error(`timed out waiting for ${what}: ${seen}\n${screens}`);
    };
    const agentScreen = (name: string): string =>
      spawnSync("tmux", ["-L", agents.socket, "capture-pane", "-p", "-t", `=braid-myapp:=${name}`], {
        env: agents.env,
        encoding: "utf8",
      }).stdout ?? "";
    const idle = (v: View | undefined) => v?.state === "idle" || v?.state === "done";

    // 1. braid recommend: advice for this repo
    const rec = JSON.parse((await ok(["recommend", "--json"])).stdout);
    assert.equal(rec.trackedFiles, Object.keys(FILES).length);
    assert.match(rec.advice, /session|worktree/);

    // 2. three starts, one of them research (read-only)
    const t0 = Date.now();
    for (const args of [
      ["start", "auth", "Add user authentication", "--owns", "src/auth/**"],
      ["start", "api", "Build REST API endpoints", "--owns", "src/api/**"],
      ["start", "research", "How do we do caching today?", "--type", "research"],
    ]) {
      const r = JSON.parse((await ok([...args, "--json"], startEnv)).stdout);
      assert.equal(r.session.name, args[1]);
      assert.equal(r.queued, false);
      if (r.session.ext?.session?.tmux?.socketPath === undefined) later = startEnv;
    }
    if (later === startEnv) t.diagnostic("NEEDS tmux socket identity: later commands get BRAID_TMUX_SOCKET too");
    // every agent runs on braid's private server, none on the user's
    assert.deepEqual(agents.tmux("list-windows", "-a", "-F", "#{window_name}").trim().split("\n").sort(), [
      "api",
      "auth",
      "research",
    ]);
    // (by pane id: tmux names a window after its process, "tmux" until the exec, and may not rename it yet)
    assert.deepEqual(user.tmux("list-panes", "-a", "-F", "#{pane_id}").trim().split("\n"), [shellPane]);

    // 3. status (from the user's tmux, without BRAID_TMUX_SOCKET): the agents did their turns
    const seen = await until(
      "auth committed, api wrote, research answered",
      (v) => idle(v.get("auth")) && v.get("auth")?.ahead === 1 && idle(v.get("api")) && idle(v.get("research")),
    );
    t.diagnostic(`three sessions through their first turn in ${Date.now() - t0} ms`);
    assert.equal(seen.get("api")?.ahead, 0);
    assert.ok((seen.get("api")?.changedFiles ?? 0) >= 1, "api's uncommitted routes.js counts");
    assert.equal(seen.get("research")?.type, "research");
    const table = (await ok(["status"])).stdout;
    for (const n of ["auth", "api", "research"]) assert.match(table, new RegExp(`\\b${n}\\b`));
    // the research session could not write: read-only is enforced, nothing changed in its worktree
    assert.equal(gitIn(sb, wt("research"), "status", "--porcelain"), "");

    // 4. the board, in a pane of the user's tmux: it shows the sessions; c toggles the conflicts view; q quits
    // (tmux itself sets TMUX and TMUX_PANE in the pane)
    const { TMUX: _tmux, TMUX_PANE: _pane, ...paneEnv } = later;
    const boardPane = user.newSession("board", repo, [process.execPath, BRAID_BIN, "board"], {
      env: paneEnv,
      width: 120,
      height: 40,
    });
    const board = await user.waitForScreen(boardPane, /braid · myapp · 3 sessions/, LONG);
    for (const n of ["auth", "api", "research"]) assert.match(board, new RegExp(`\\b${n}\\b`));
    assert.doesNotMatch(board, /tmux window closed/);
    user.sendKeys(boardPane, "c");
    await user.waitForScreen(boardPane, /Conflict matrix/, LONG);
    user.sendKeys(boardPane, "q");
    const deadline = Date.now() + LONG;
    while (!user.paneDead(boardPane).dead) {
      assert.ok(Date.now() < deadline, `the board did not quit on q:\n${user.capture(boardPane)}`);
      await new Promise((r) => setTimeout(r, 200));
    }
    // tmux 3.3a sometimes leaves #{pane_dead_status} empty on a dead pane: check the status when it reports one
    const boardExit = user.paneDead(boardPane).status;
    if (boardExit !== undefined && boardExit !== null) assert.equal(boardExit, 0);

    // 5. a note for every session, then `send` types a new prompt into api: the note arrives with it
    await ok(["note", NOTE]);
    const mark = stub.requests.length;
    assert.match((await ok(["send", "api", "Use the auth API in the routes [[api-2]]"])).stdout, /sent to api/);
    const next: StubRequest = await stub.waitForRequest(
      (r) => r.seq > mark && r.cwd === wt("api") && requestContains(r, "[[api-2]]"),
      LONG,
    );
    assert.ok(requestContains(next, NOTE), "the note is in api's next prompt");
    await until("api answered the sent prompt", (v) => idle(v.get("api")));

    // 6. learn: into the project memory every session shares
    await ok(["learn", LEARNING, "--section", "Gotchas"]);
    const memory = JSON.parse((await ok(["memory", "--json"])).stdout);
    assert.match(memory.text, new RegExp(LEARNING));

    // 7. conflicts: auth and api touch separate areas, api's uncommitted work included
    const radar = JSON.parse((await ok(["conflicts", "--json"])).stdout);
    const bySession = new Map(radar.sessions.map((s: { name: string }) => [s.name, s]));
    assert.equal((bySession.get("api") as { dirty: boolean } | undefined)?.dirty, true);
    assert.deepEqual(
      radar.pairs.filter((p: { status: string }) => p.status === "conflict"),
      [],
    );

    // 8. finish --verify "npm test" --commit-wip: api's leftover work is committed, both land on main
    // NEEDS: commit-wip (issue 12 point 2) — without it api is left out for its uncommitted work.
    const hasCommitWip = (await ok(["finish", "--help"])).stdout.includes("--commit-wip");
    const finish = await run(["finish", "--verify", "npm test", ...(hasCommitWip ? ["--commit-wip"] : [])]);
    t.diagnostic(`finish: exit ${finish.code}\n${finish.stdout}${finish.stderr}`);
    const mainFiles = gitIn(sb, repo, "ls-tree", "-r", "--name-only", "main").split("\n");
    assert.ok(mainFiles.includes("src/auth/login.js"), "auth's commit is on main");
    if (hasCommitWip) {
      assert.equal(finish.code, 0, `${finish.stdout}\n${finish.stderr}`);
      assert.ok(mainFiles.includes("src/api/routes.js"), "api's work, committed by --commit-wip, is on main");
      assert.equal(spawnSync("npm", ["test", "--silent"], { cwd: repo, env: sb.env }).status, 0);
    }

    // 9. the research findings are read: stop that session, and clean removes it (no commits, finished)
    // NEEDS: clean of finished research sessions (issue 12 point 9; docs/clean.md `no-commits`) — until then
    // it stays registered.
    const cleansResearch = readFileSync(join(REPO_ROOT, "docs", "clean.md"), "utf8").includes("no-commits");
    await ok(["stop", "research"]);
    const clean = await ok(["clean"]);
    if (cleansResearch) assert.match(clean.stdout, /removed research/);
    else t.diagnostic(`NEEDS clean of research sessions:\n${clean.stdout}`);

    // End state. main: both sessions' work merged, the checkout on main and clean.
    assert.equal(gitIn(sb, repo, "branch", "--show-current"), "main");
    assert.equal(gitIn(sb, repo, "status", "--porcelain"), "");
    const log = gitIn(sb, repo, "log", "--format=%s", "main");
    assert.match(log, /auth: login/);
    assert.match(log, /braid: merge auth \(feature\/auth\)/);
    const left = [...(await views()).keys()];
    const branches = gitIn(sb, repo, "branch", "--format=%(refname:short)").split("\n").sort();
    const worktrees = gitIn(sb, repo, "worktree", "list", "--porcelain")
      .split("\n")
      .filter((l) => l.startsWith("worktree "))
      .map((l) => l.slice("worktree ".length));
    assert.ok(!left.includes("auth") && !branches.includes("feature/auth") && !existsSync(wt("auth")), "auth is gone");
    if (hasCommitWip) {
      assert.match(log, /braid: merge api \(feature\/api\)/);
      assert.ok(!left.includes("api") && !branches.includes("feature/api") && !existsSync(wt("api")), "api is gone");
    }
    if (cleansResearch) {
      assert.ok(!left.includes("research") && !existsSync(wt("research")), "research is gone");
      if (hasCommitWip) {
        assert.deepEqual(left, [], "the registry is empty");
        assert.deepEqual(branches, ["main"]);
        // besides the main checkout only the train's integration worktree, kept warm at the new main for the next train
        const integration = join(repo, ".git", "braid", "merge", "wt-integration");
        assert.deepEqual(
          worktrees.filter((w) => w !== integration),
          [repo],
        );
        if (worktrees.includes(integration))
          assert.equal(gitIn(sb, integration, "rev-parse", "HEAD"), gitIn(sb, repo, "rev-parse", "main"));
      }
    }
    // the agents of removed sessions were stopped: no agent is left on braid's server
    const windows = spawnSync("tmux", ["-L", agents.socket, "list-windows", "-a", "-F", "#{window_name}"], {
      env: agents.env,
      encoding: "utf8",
    }).stdout;
    assert.doesNotMatch(windows ?? "", /^auth$/m, "auth's agent was stopped");
    if (hasCommitWip && cleansResearch) assert.equal((windows ?? "").trim(), "", "no agent left running");
    t.diagnostic(`journey took ${Date.now() - t0} ms after the first start`);
  } finally {
    await user.kill();
    await agents.kill();
    await stub.stop();
    sb.cleanup();
  }
});
