// The JSON API with a valid token, against the real server and real git: shapes match the CLI's --json, actions
// call the same core functions (a merge really moves main), and the event stream reports the merge.
import assert from "node:assert/strict";
import { type ChildProcess, spawn } from "node:child_process";
import { join } from "node:path";
import { after, before, describe, it } from "node:test";
import { BRAID_BIN, braid, commitIn, gitIn } from "../helpers/env.js";
import { useRepo } from "../helpers/suite.js";

describe("braid serve: the JSON API", () => {
  let server: ChildProcess | undefined;
  // Registered before useRepo's: the server must be gone before the sandbox is removed (it writes its caches).
  after(async () => {
    if (!server || server.exitCode !== null) return;
    const exited = new Promise((r) => server?.once("exit", r));
    server.kill("SIGTERM");
    const t = setTimeout(() => server?.kill("SIGKILL"), 10_000);
    await exited;
    clearTimeout(t);
  });
  const { sb, repo } = useRepo();
  let base = "";
  let token = "";
  const get = async (path: string) => {
    const r = await fetch(base + path, { headers: { Authorization: `Bearer ${token}` } });
    return { status: r.status, body: (await r.json()) as Record<string, unknown> };
  };
  const post = async (path: string, body: unknown) => {
    const r = await fetch(base + path, {
      method: "POST",
      headers: { Authorization: `Bearer ${token}`, "Content-Type": "application/json" },
      body: JSON.stringify(body),
    });
    return { status: r.status, body: (await r.json()) as Record<string, unknown> };
  };

  before(async () => {
    assert.equal((await braid(sb, repo, ["new", "feat", "--no-bootstrap"])).code, 0);
    commitIn(sb, join(sb.root, "app-feat"), { "feat.txt": "feature\n" });
    server = spawn(process.execPath, [BRAID_BIN, "serve", "--port", "0"], { cwd: repo, env: sb.env });
    let out = "";
    server.stdout?.on("data", (d) => {
      out += d;
    });
    const deadline = Date.now() + 60_000;
    while (!/token=\S+\n/.test(out) && Date.now() < deadline) await new Promise((r) => setTimeout(r, 100));
    const url = new URL(out.trim());
    base = url.origin;
    token = url.searchParams.get("token") ?? "";
  });

  it("GET endpoints answer the CLI's shapes", async () => {
    const status = await braid(sb, repo, ["status", "--json"]);
    const sessions = await get("/api/sessions");
    assert.equal(sessions.status, 200);
    const names = (s: unknown) => (s as { sessions: { name: string; state: string; ahead: number }[] }).sessions;
    assert.deepEqual(
      names(sessions.body).map((v) => [v.name, v.state, v.ahead]),
      names(JSON.parse(status.stdout)).map((v) => [v.name, v.state, v.ahead]),
    );
    const one = await get("/api/sessions/feat");
    assert.equal(one.status, 200);
    assert.equal((one.body.session as { name: string }).name, "feat");
    assert.equal(one.body.screen, null, "a session that never ran has no screen");
    assert.equal((await get("/api/sessions/nope")).status, 404);
    const conflicts = await get("/api/conflicts");
    assert.deepEqual(Object.keys(conflicts.body).sort(), [
      "elapsedMs",
      "ownership",
      "pairs",
      "sessions",
      "skipped",
      "withBase",
    ]);
    const notes = await get("/api/notes");
    assert.deepEqual(notes.body.notes, []);
  });

  it("POST endpoints act through braid's own commands and say why they cannot", async () => {
    const send = await post("/api/sessions/feat/send", { text: "hello" });
    assert.equal(send.status, 400);
    assert.match(String(send.body.error), /not running/);
    assert.match(String(send.body.fix), /braid start feat/);
    assert.equal((await post("/api/sessions/feat/send", { text: 3 })).status, 400);
    const stop = await post("/api/sessions/feat/stop", {});
    assert.deepEqual(stop.body, { name: "feat", was: "created", stopped: false });
    const note = await post("/api/notes", { text: "from the API", to: "feat" });
    assert.equal(note.status, 200);
    assert.deepEqual([note.body.from, note.body.to, note.body.text], ["user", "feat", "from the API"]);
    const cli = await braid(sb, repo, ["notes", "--json"]);
    assert.equal((JSON.parse(cli.stdout) as { notes: { id: string }[] }).notes.at(-1)?.id, note.body.id);
    assert.equal((await post("/api/notes", { text: "x", to: "nobody" })).status, 400);
  });

  it("POST /api/merge runs the merge train and the event stream reports it", async () => {
    const ctl = new AbortController();
    const events = await fetch(`${base}/api/events`, {
      headers: { Authorization: `Bearer ${token}` },
      signal: ctl.signal,
    });
    assert.equal(events.headers.get("content-type"), "text/event-stream; charset=utf-8");
    const reader = (events.body as ReadableStream<Uint8Array>).getReader();
    let stream = "";
    const sawMerge = (async () => {
      while (!/event: merge\ndata: .*"feat"/.test(stream)) {
        const { value, done } = await reader.read();
        if (done) break;
        stream += Buffer.from(value).toString("utf8");
      }
    })();
    const before = gitIn(sb, repo, "rev-parse", "main");
    const r = await post("/api/merge", { names: ["feat"] });
    assert.equal(r.status, 200, JSON.stringify(r.body));
    assert.equal(r.body.moved, true);
    assert.equal(r.body.oldBase, before);
    assert.equal(gitIn(sb, repo, "rev-parse", "main"), r.body.newBase);
    assert.equal(gitIn(sb, repo, "show", "main:feat.txt"), "feature");
    await Promise.race([
      sawMerge,
      new Promise((_, rej) => setTimeout(() => rej(new Error(`no merge event: ${stream}`)), 30_000)),
    ]);
    assert.match(stream, /event: sessions\ndata: /, "the stream starts with the sessions");
    ctl.abort();
    assert.equal((await post("/api/merge", { names: "feat" })).status, 400);
  });
});
