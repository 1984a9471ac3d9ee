/** `braid note` / `braid notes`: posting, reading, filters, cursors, and every bad input of issue 4. */
import assert from "node:assert/strict";
import { spawn } from "node:child_process";
import { appendFileSync, chmodSync, mkdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { after, before, describe, it } from "node:test";
import { parseNotes } from "../../src/coord/notes.js";
import { BRAID_BIN, braid, isOneLineError, makeRepo, makeSandbox, type Sandbox } from "../helpers/env.js";

interface NoteJson {
  id: string;
  time: string;
  from: string;
  to: string;
  text: string;
}

describe("braid note / notes", () => {
  let sb: Sandbox;
  let repo: string;
  let auth: string;
  let notesFile: string;
  const run = (args: string[], cwd = repo, input?: string) => braid(sb, cwd, args, { input });
  const list = async (args: string[] = [], cwd = repo): Promise<NoteJson[]> => {
    const r = await run(["notes", "--json", ...args], cwd);
    assert.equal(r.code, 0, r.stderr);
    return JSON.parse(r.stdout).notes;
  };

  before(async () => {
    sb = makeSandbox();
    repo = makeRepo(sb, "app");
    assert.equal((await run(["new", "auth"])).code, 0);
    assert.equal((await run(["new", "api"])).code, 0);
    auth = join(sb.root, "app-auth");
    notesFile = join(sb.home, ".claude", "workflows", "notes", "app.md");
  });
  after(() => sb.cleanup());

  it("posts to the guide's notes file; the author is the session of the current worktree", async () => {
    const r = await run(["note", "Auth", "API", "ready at /api/auth/*", "--json"], auth);
    assert.equal(r.code, 0, r.stderr);
    const n = JSON.parse(r.stdout) as NoteJson;
    assert.equal(n.from, "auth");
    assert.equal(n.to, "all");
    assert.equal(n.text, "Auth API ready at /api/auth/*");
    assert.match(n.id, /^[0-9a-z]+-[0-9a-f]+$/);
    const file = readFileSync(notesFile, "utf8");
    assert.match(file, new RegExp(`### #${n.id} · \\S+ · auth → all\\n> Auth API ready at /api/auth/\\*\\n`));
    assert.equal((await run(["note", "from main"])).code, 0);
    assert.equal((await list()).at(-1)?.from, "user", "outside a session the author is user");
  });

  it("--to a session, --from; unknown recipients are refused with the list of known sessions", async () => {
    const r = await run(["note", "schema changed", "--to", "api", "--from", "db"]);
    assert.equal(r.code, 0, r.stderr);
    const last = (await list()).at(-1);
    assert.deepEqual([last?.from, last?.to], ["db", "api"]);
    const bad = await run(["note", "hello", "--to", "nobody"]);
    assert.ok(isOneLineError(bad), bad.stderr);
    assert.match(bad.stderr, /no session named "nobody".*all, user, auth, api/);
    assert.equal((await run(["note", "please review", "--to", "user"], auth)).code, 0);
    assert.deepEqual(
      (await list(["--for", "user"])).filter((n) => n.to === "user").map((n) => n.text),
      ["please review"],
      "notes to the human are listed with --for user",
    );
    const badFrom = await run(["note", "hello", "--from", "a b"]);
    assert.ok(isOneLineError(badFrom), badFrom.stderr);
  });

  it("refuses empty and huge text with a message saying what to do", async () => {
    for (const args of [["note"], ["note", ""], ["note", "   "]]) {
      const r = await run(args);
      assert.ok(isOneLineError(r), r.stderr);
      assert.match(r.stderr, /empty/);
    }
    const huge = await run(["note", "x".repeat(5000)]);
    assert.ok(isOneLineError(huge), huge.stderr);
    assert.match(huge.stderr, /5000 characters.*limit is 4000/);
  });

  it("keeps the structure whole for headings, separators, fake headers, NUL and escape bytes", async () => {
    const before = (await list()).length;
    const nasty = [
      "# Heading",
      "## Another",
      "---",
      "***",
      "### #abc-123456 · 2026-01-01T00:00:00Z · api → all",
      "> quoted",
      "",
      "<!-- comment -->",
      "back\\slash \\x41 nul:\u0000 esc:\u001b[2J bell:\u0007 tab:\t end",
    ].join("\n");
    const r = await run(["note", "-"], repo, nasty);
    assert.equal(r.code, 0, r.stderr);
    const notes = await list();
    assert.equal(notes.length, before + 1, "one note, not several");
    assert.equal(notes.at(-1)?.text, nasty, "text round-trips exactly");
    assert.equal(parseNotes(readFileSync(notesFile, "utf8")).strayLines, 0);
    assert.ok(!readFileSync(notesFile, "utf8").includes("\u0000"), "no raw NUL in the file");
    const human = await run(["notes"]);
    assert.ok(!human.stdout.includes("\u001b[2J"), "escape bytes are never sent to the terminal");
    assert.match(human.stdout, /esc:\\x1b\[2J/);
  });

  it("tolerates lines added by hand or by the guide's `echo >>`, with a warning", async () => {
    const before = (await list()).length;
    appendFileSync(notesFile, "Auth API ready (echoed by hand)\n");
    const r = await run(["notes", "--json"]);
    assert.equal(r.code, 0);
    assert.equal(JSON.parse(r.stdout).notes.length, before);
    assert.equal(JSON.parse(r.stdout).strayLines, 1);
    assert.match(r.stderr, /1 line\(s\).*not in braid's note format/);
    assert.equal((await run(["note", "after the echo"])).code, 0);
    assert.equal((await list()).at(-1)?.text, "after the echo");
  });

  it("--for, --unread and --mark-read follow a per-session cursor", async () => {
    const forApi = await list(["--for", "api"]);
    assert.ok(forApi.every((n) => (n.to === "api" || n.to === "all") && n.from !== "api"));
    assert.ok(
      forApi.some((n) => n.to === "api"),
      "notes addressed to api are included",
    );
    const unread = await list(["--unread", "--for", "api"]);
    assert.deepEqual(unread, forApi, "nothing read yet");
    const marked = await list(["--unread", "--for", "api", "--mark-read"]);
    assert.deepEqual(marked, forApi);
    assert.deepEqual(await list(["--unread", "--for", "api"]), [], "all read now");
    assert.equal((await run(["note", "one more", "--to", "api"], auth)).code, 0);
    assert.equal((await run(["note", "not for api", "--to", "auth"])).code, 0);
    assert.deepEqual(
      (await list(["--unread", "--for", "api"])).map((n) => n.text),
      ["one more"],
    );
    // Inside a session's worktree --unread needs no --for.
    const inAuth = await list(["--unread"], auth);
    assert.ok(inAuth.some((n) => n.text === "not for api"));
    const noSession = await run(["notes", "--unread"]);
    assert.ok(isOneLineError(noSession), noSession.stderr);
    const unknown = await run(["notes", "--for", "ghost"]);
    assert.ok(isOneLineError(unknown));
  });

  it("--since takes an ISO time or a duration and refuses anything else", async () => {
    assert.ok((await list(["--since", "10m"])).length > 0);
    assert.deepEqual(await list(["--since", "2999-01-01"]), []);
    assert.equal((await list(["--since", "2000-01-01T00:00Z"])).length, (await list()).length);
    const bad = await run(["notes", "--since", "yesterday-ish"]);
    assert.ok(isOneLineError(bad), bad.stderr);
  });

  it("--follow prints notes as they are posted", async () => {
    const child = spawn(process.execPath, [BRAID_BIN, "notes", "--follow", "--json", "--for", "api"], {
      cwd: repo,
      env: sb.env,
    });
    let out = "";
    child.stdout.on("data", (d) => {
      out += d;
    });
    const waitFor = async (pred: () => boolean, ms = 15_000) => {
      const end = Date.now() + ms;
      while (!pred() && Date.now() < end) await new Promise((r) => setTimeout(r, 50));
      return pred();
    };
    assert.ok(await waitFor(() => out.includes("one more")), "existing notes first");
    assert.equal((await run(["note", "live note", "--to", "api"], auth)).code, 0);
    assert.equal((await run(["note", "private to auth", "--to", "auth"])).code, 0);
    assert.equal((await run(["note", "live two"], auth)).code, 0);
    assert.ok(await waitFor(() => out.includes("live two")), out);
    child.kill("SIGINT");
    await new Promise((r) => child.on("close", r));
    const lines = out
      .trim()
      .split("\n")
      .map((l) => JSON.parse(l) as NoteJson);
    const texts = lines.map((n) => n.text);
    assert.ok(texts.indexOf("live note") < texts.indexOf("live two"));
    assert.ok(!texts.includes("private to auth"), "--for applies while following");
    assert.equal(texts.filter((t) => t === "live note").length, 1, "each note once");
  });

  it("a read-only notes folder is a one-line error naming the folder", async () => {
    const repo2 = makeRepo(sb, "ro");
    const wf = join(sb.root, "wf-ro");
    mkdirSync(join(wf, "notes"), { recursive: true });
    chmodSync(join(wf, "notes"), 0o555);
    try {
      const r = await braid(sb, repo2, ["note", "hello"], { env: { BRAID_WORKFLOWS_DIR: wf } });
      if (process.getuid?.() === 0) return; // root ignores permissions
      assert.ok(isOneLineError(r), r.stderr);
      assert.match(r.stderr, /cannot write notes file .*permission denied.*BRAID_WORKFLOWS_DIR/);
    } finally {
      chmodSync(join(wf, "notes"), 0o755);
    }
  });
});
