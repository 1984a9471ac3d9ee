// `braid serve` end to end: the real server, a real headless Chromium (Debian's, driven by playwright-core),
// real Claude Code sessions (offline, against the model stub) in a private tmux server, and a real
// notify_command. One stub, one tmux server and one browser for the whole file (they are expensive).
import assert from "node:assert/strict";
import { type ChildProcess, spawn, spawnSync } from "node:child_process";
import { existsSync, mkdirSync, readFileSync, statSync, writeFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { after, before, describe, it } from "node:test";
import { type Browser, chromium, type Page } from "playwright-core";
import { readLive } from "../../src/session/live.js";
import {
  CLAUDE_BIN,
  claudeAvailable,
  claudeEnv,
  endTmuxServer,
  prepareClaudeHome,
  removeSandbox,
} from "../helpers/claude.js";
import { BRAID_BIN, braid, makeRepo, makeSandbox, type Sandbox } from "../helpers/env.js";
import { afterTool, type ModelStub, requestContains, startModelStub } from "../helpers/model-stub.js";

const CHROMIUM = "/usr/bin/chromium";

interface Notified {
  at: number;
  session: string;
  state: string;
  detail: string;
  since: string;
  project: string;
  url: string;
}

async function until<T>(
  what: string,
  probe: () => T | undefined | null | false | Promise<T | undefined | null | false>,
  ms = 90_000,
  show?: () => string,
): Promise<T> {
  const deadline = Date.now() + ms;
  for (;;) {
    const v = await probe();
    if (v) return v;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}${show ? `\n${show()}` : ""}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

describe("braid serve: web board, API and notifications with real Claude sessions", {
  skip: (!claudeAvailable() && "claude not installed") || (!existsSync(CHROMIUM) && "chromium not installed"),
}, () => {
  let sb: Sandbox;
  let repo: string;
  let stub: ModelStub;
  let env: NodeJS.ProcessEnv;
  let server: ChildProcess;
  let serverOut = "";
  let openUrl = "";
  let base = "";
  let browser: Browser;
  let page: Page;
  const socket = `braid-serve-e2e-${process.pid}`;
  const wt = (name: string) => join(sb.root, `app-${name}`);
  const stateDir = () => join(repo, ".git", "braid");
  const notifyLog = () => join(sb.root, "notified.jsonl");
  const notified = (): Notified[] =>
    existsSync(notifyLog())
      ? readFileSync(notifyLog(), "utf8")
          .trim()
          .split("\n")
          .filter(Boolean)
          .map((l) => JSON.parse(l) as Notified)
      : [];
  const capture = (name: string) =>
    spawnSync("tmux", ["-L", socket, "capture-pane", "-p", "-t", `=braid-app:=${name}`], {
      env: sb.env,
      encoding: "utf8",
    }).stdout;
  const run = (args: string[]) => braid(sb, repo, args, { env, timeoutMs: 90_000 });

  before(async () => {
    sb = makeSandbox();
    repo = makeRepo(sb, "app");
    stub = await startModelStub();
    env = { ...claudeEnv(sb, stub.url), PATH: `${dirname(CLAUDE_BIN)}:${process.env.PATH}`, BRAID_TMUX_SOCKET: socket };
    prepareClaudeHome(sb.home, { trustedPaths: ["asker", "other", "quick", "broken"].map(wt) });
    // The user's own notify command (global config: trusted), recording what it was told and when.
    const script = join(sb.root, "notify.cjs");
    writeFileSync(
      script,
      `const e = process.env;\nrequire("fs").appendFileSync(${JSON.stringify(notifyLog())}, JSON.stringify({ at: Date.now(), session: e.BRAID_SESSION, state: e.BRAID_STATE, detail: e.BRAID_DETAIL, since: e.BRAID_SINCE, project: e.BRAID_PROJECT, url: e.BRAID_URL }) + "\\n");\n`,
    );
    mkdirSync(join(sb.home, ".config", "braid"), { recursive: true });
    writeFileSync(
      join(sb.home, ".config", "braid", "config.toml"),
      `notify_command = [${JSON.stringify(process.execPath)}, ${JSON.stringify(script)}]\n`,
    );
    stub.scriptForCwd(wt("asker"), [
      {
        text: "Need to run this.",
        toolUse: { name: "Bash", input: { command: "touch asked.txt", description: "touch" } },
      },
      { text: "Touched it." },
    ]);
    stub.scriptForCwd(wt("other"), [{ text: "Hello, ready." }, { text: "Read the note." }]);
    stub.scriptForCwd(wt("quick"), [{ text: "Quick answer." }]);
    stub.scriptForCwd(wt("broken"), [
      { httpError: { status: 400, type: "invalid_request_error", message: "broken on purpose" } },
      { httpError: { status: 400, type: "invalid_request_error", message: "broken on purpose" } },
      { httpError: { status: 400, type: "invalid_request_error", message: "broken on purpose" } },
    ]);

    server = spawn(process.execPath, [BRAID_BIN, "serve", "--port", "0"], { cwd: repo, env: { ...sb.env, ...env } });
    server.stdout?.on("data", (d) => {
      serverOut += d;
    });
    server.stderr?.on("data", (d) => {
      serverOut += d;
    });
    openUrl = await until(
      "the server's URL",
      () => /^(http:\/\/127\.0\.0\.1:\d+\/\?token=\S+)$/m.exec(serverOut)?.[1],
      60_000,
      () => serverOut,
    );
    base = new URL(openUrl).origin;
    browser = await chromium.launch({ executablePath: CHROMIUM, headless: true, args: ["--no-sandbox"] });
    page = await browser.newPage({ viewport: { width: 1280, height: 900 } });
  });

  after(async () => {
    await browser?.close().catch(() => undefined);
    server?.kill("SIGTERM");
    const agentsGone = endTmuxServer(sb, socket);
    await stub?.stop();
    await agentsGone();
    await removeSandbox(sb);
  });

  it("keeps everything behind the token and the board's own origin", async () => {
    const token = new URL(openUrl).searchParams.get("token") as string;
    const file = join(stateDir(), "serve", "token");
    assert.equal(readFileSync(file, "utf8").trim(), token);
    assert.equal(statSync(file).mode & 0o777, 0o600);
    const gets = [
      "/",
      "/app.js",
      "/app.css",
      "/api/sessions",
      "/api/sessions/x",
      "/api/sessions/x/screen",
      "/api/conflicts",
      "/api/notes",
      "/api/events",
    ];
    const posts = ["/api/sessions/x/send", "/api/sessions/x/stop", "/api/notes", "/api/merge"];
    const wrong = `${token.slice(0, -4)}AAAA`;
    const status = async (path: string, init: RequestInit) => {
      const r = await fetch(base + path, { redirect: "manual", ...init });
      await r.body?.cancel();
      return r.status;
    };
    for (const p of gets) {
      assert.equal(await status(p, {}), 401, `GET ${p} without a token`);
      assert.equal(await status(p, { headers: { Authorization: `Bearer ${wrong}` } }), 401, `GET ${p} wrong bearer`);
      assert.equal(
        await status(p, { headers: { Cookie: `braid_board_${new URL(base).port}=${wrong}` } }),
        401,
        `GET ${p} wrong cookie`,
      );
    }
    const body = JSON.stringify({ text: "x", names: [] });
    for (const p of posts) {
      assert.equal(await status(p, { method: "POST", body }), 401, `POST ${p} without a token`);
      assert.equal(
        await status(p, { method: "POST", body, headers: { Authorization: `Bearer ${wrong}` } }),
        401,
        `POST ${p} wrong token`,
      );
      assert.equal(
        await status(p, {
          method: "POST",
          body,
          headers: { Authorization: `Bearer ${token}`, Origin: "http://evil.example" },
        }),
        403,
        `POST ${p} from another origin`,
      );
      assert.equal(
        await status(p, { method: "POST", body, headers: { Cookie: `braid_board_${new URL(base).port}=${token}` } }),
        403,
        `POST ${p} with the cookie but no Origin`,
      );
    }
    assert.equal(await status("/?token=" + wrong, {}), 401, "a wrong token in the URL");
    // the right token in the URL becomes an HttpOnly, SameSite=Strict cookie, and leaves the address bar
    const r = await fetch(openUrl, { redirect: "manual" });
    assert.equal(r.status, 303);
    assert.equal(r.headers.get("location"), "/");
    const cookie = r.headers.get("set-cookie") ?? "";
    assert.match(cookie, /HttpOnly/);
    assert.match(cookie, /SameSite=Strict/);
    const sessions = await fetch(`${base}/api/sessions`, { headers: { Authorization: `Bearer ${token}` } });
    assert.equal(sessions.status, 200);
    assert.deepEqual(await sessions.json(), { sessions: [] });
    assert.ok(!serverOut.includes(wrong), "a wrong token is never logged");
  });

  it("shows a waiting Claude session, answers it from the page, and passes a note to another session", async () => {
    await page.goto(openUrl);
    assert.equal(new URL(page.url()).search, "", "the token left the address bar");
    for (const r of await Promise.all([
      // ask: Claude itself asks before the Bash call (the default, edits, would let it touch the file)
      run(["start", "asker", "--autonomy", "ask", "touch asked.txt"]),
      run(["start", "other", "say hello"]),
    ]))
      assert.equal(r.code, 0, r.stderr);
    await page.waitForSelector('[data-session="asker"]', { timeout: 60_000 });
    await page.waitForSelector('[data-session="other"]', { timeout: 60_000 });

    // waiting: from the hook's record to the card turning yellow
    const live = await until(
      "asker waiting (hook)",
      () => {
        const l = readLive(stateDir(), "asker");
        return l?.state === "waiting" ? l : null;
      },
      120_000,
      () => capture("asker"),
    );
    await page.waitForSelector('[data-session="asker"][data-state="waiting"]', { timeout: 30_000 });
    const pageLagMs = Date.now() - Date.parse(live.since);
    console.log(`# page shows asker waiting ${pageLagMs} ms after the hook recorded it`);
    assert.ok(pageLagMs < 5_000, `page lag ${pageLagMs} ms`);
    assert.ok(await page.isVisible("#needs-you"), "waiting sessions are called out first");

    // the notify command fired once for that waiting state, within about a second of the hook's record
    const hit = await until(
      "the waiting notification",
      () => notified().find((n) => n.session === "asker" && n.state === "waiting" && n.since === live.since),
      15_000,
    );
    const notifyLagMs = hit.at - Date.parse(live.since);
    console.log(`# notify_command ran ${notifyLagMs} ms after the hook recorded waiting`);
    assert.ok(
      notifyLagMs < 5_000,
      `notify lag ${notifyLagMs} ms (target 1 s, generous bound: two node start-ups on a loaded machine)`,
    );
    assert.match(hit.detail, /permission prompt/);
    assert.equal(hit.project.length > 0, true);
    assert.equal(hit.url, `${base}/#asker`);

    // answer from the page's box: the agent goes on (the stub gets the tool's result)
    await page.click('[data-session="asker"]');
    await page.waitForFunction(
      () => /Do you want to proceed/.test(document.getElementById("screen")?.textContent ?? ""),
      undefined,
      { timeout: 30_000 },
    );
    const mark = stub.requests.length;
    await page.fill("#answer", "1");
    await page.press("#answer", "Enter");
    await stub.waitForRequest((q) => q.seq > mark && q.cwd === wt("asker") && afterTool(q), 60_000);
    await until("asked.txt", () => existsSync(join(wt("asker"), "asked.txt")), 30_000);
    assert.equal(
      notified().filter((n) => n.session === "asker" && n.state === "waiting").length,
      1,
      "each waiting event notifies once",
    );

    // a note posted on the page reaches the other session's agent with its next prompt
    await until(
      "other idle",
      () => readLive(stateDir(), "other")?.state === "idle",
      120_000,
      () => capture("other"),
    );
    await page.selectOption("#note-to", "other");
    await page.fill("#note-text", "[[note-from-page]] the API is ready");
    await page.click("#note-post");
    await page.waitForSelector("#notes li:has-text('[[note-from-page]]')", { timeout: 15_000 });
    await page.click('[data-session="other"]');
    const mark2 = stub.requests.length;
    await page.fill("#answer", "carry on");
    await page.press("#answer", "Enter");
    const req = await stub.waitForRequest((q) => q.seq > mark2 && q.cwd === wt("other"), 60_000);
    assert.ok(requestContains(req, "[[note-from-page]]"), "the note is in the agent's next request");
  });

  it("notifies once when a session is done and once when one fails", async () => {
    for (const r of await Promise.all([
      run(["start", "quick", "--headless", "answer quickly"]),
      run(["start", "broken", "--headless", "this will fail"]),
    ]))
      assert.equal(r.code, 0, r.stderr);
    const done = await until(
      "done notification",
      () => notified().find((n) => n.session === "quick" && n.state === "done"),
      120_000,
    );
    const failed = await until(
      "failed notification",
      () => notified().find((n) => n.session === "broken" && n.state === "failed"),
      120_000,
    );
    // done/failed are keyed by the run (since = the run id): its exit record says when the agent ended
    const exitOf = (n: Notified) =>
      JSON.parse(readFileSync(join(stateDir(), "run", n.session, n.since, "exit.json"), "utf8")) as {
        at: string;
        code: number;
      };
    for (const n of [done, failed]) {
      const lag = n.at - Date.parse(exitOf(n).at);
      console.log(`# ${n.session}: ${n.state} notified ${lag} ms after the agent exited`);
      assert.ok(lag < 5_000, `${n.session} lag ${lag} ms`);
    }
    assert.equal(exitOf(done).code, 0);
    assert.notEqual(exitOf(failed).code, 0);
    // a while later still exactly one of each, whatever else (status polls, the board) ran meanwhile
    await run(["status", "--json"]);
    await new Promise((r) => setTimeout(r, 1500));
    assert.equal(notified().filter((n) => n.session === "quick" && n.state === "done").length, 1);
    assert.equal(notified().filter((n) => n.session === "broken" && n.state === "failed").length, 1);
    // the page shows both final states
    await page.waitForSelector('[data-session="quick"][data-state="done"]', { timeout: 30_000 });
    await page.waitForSelector('[data-session="broken"][data-state="failed"]', { timeout: 30_000 });
    // readable on a phone: one column, nothing wider than the screen
    await page.setViewportSize({ width: 390, height: 844 });
    const layout = await page.evaluate(() => ({
      columns: getComputedStyle(document.querySelector(".layout") as Element).gridTemplateColumns.split(" ").length,
      overflow: document.documentElement.scrollWidth - window.innerWidth,
    }));
    assert.deepEqual(layout, { columns: 1, overflow: 0 });
  });
});
