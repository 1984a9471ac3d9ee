/** hookContext (what `braid hook` hands the agent) and unreadCount (what the board shows). */
import assert from "node:assert/strict";
import { join } from "node:path";
import { after, before, describe, it } from "node:test";
import { hookContext, notesAsOneLine } from "../../src/coord/deliver.js";
import { markRead, unreadCount, unreadNotes } from "../../src/coord/unread.js";
import { loadContext } from "../../src/project/context.js";
import { braid, isOneLineError, makeRepo, makeSandbox, type Sandbox } from "../helpers/env.js";

describe("delivery to agents", () => {
  let sb: Sandbox;
  let repo: string;
  const saved = { ...process.env };

  before(async () => {
    sb = makeSandbox();
    repo = makeRepo(sb, "app");
    // hookContext runs in-process here: give this process the sandbox's HOME and dirs.
    for (const k of ["HOME", "XDG_CONFIG_HOME", "XDG_DATA_HOME", "XDG_STATE_HOME", "GIT_CONFIG_NOSYSTEM"]) {
      process.env[k] = sb.env[k];
    }
    delete process.env.BRAID_WORKFLOWS_DIR;
    delete process.env.BRAID_HOME;
    delete process.env.BRAID_SESSION;
    for (const n of ["auth", "api"]) assert.equal((await braid(sb, repo, ["new", n])).code, 0);
  });
  after(() => {
    process.env = saved;
    sb.cleanup();
  });

  it("SessionStart gives the commands to talk, the project memory and unread notes; then they are read", async () => {
    assert.equal((await braid(sb, repo, ["learn", "Run migrations before tests", "--section", "Gotchas"])).code, 0);
    assert.equal((await braid(sb, join(sb.root, "app-auth"), ["note", "Auth API ready at /api/auth/*"])).code, 0);
    const ctx = await loadContext(join(sb.root, "app-api"));
    assert.equal(unreadCount(ctx, "api"), 1);
    assert.equal(unreadCount(ctx, "auth"), 0, "own notes are not unread");
    const text = await hookContext(ctx, "api", "SessionStart");
    assert.ok(text);
    assert.match(text, /braid(\.js)? note "/);
    assert.match(text, /braid(\.js)? learn "/);
    assert.match(text, /## Gotchas\n\n- Run migrations before tests/);
    assert.match(text, /from auth\] Auth API ready at \/api\/auth\/\*/);
    assert.equal(unreadCount(ctx, "api"), 0);
    const again = await hookContext(ctx, "api", "SessionStart");
    assert.ok(again && !again.includes("from auth]"), "not delivered twice");
  });

  it("UserPromptSubmit gives only unread notes addressed to the session or to all, once", async () => {
    const ctx = await loadContext(repo);
    assert.equal(await hookContext(ctx, "api", "UserPromptSubmit"), undefined, "nothing new: no context");
    assert.equal((await braid(sb, repo, ["note", "for auth only", "--to", "auth"])).code, 0);
    assert.equal((await braid(sb, repo, ["note", "for api", "--to", "api"])).code, 0);
    assert.equal((await braid(sb, repo, ["note", "for everyone"])).code, 0);
    assert.equal(unreadCount(ctx, "api"), 2);
    const text = await hookContext(ctx, "api", "UserPromptSubmit");
    assert.ok(text);
    assert.match(text, /for api/);
    assert.match(text, /for everyone/);
    assert.ok(!text.includes("for auth only"));
    assert.equal(await hookContext(ctx, "api", "UserPromptSubmit"), undefined);
    const forAuth = await hookContext(ctx, "auth", "UserPromptSubmit");
    assert.ok(forAuth?.includes("for auth only") && forAuth.includes("for everyone"), "cursors are per session");
  });

  it("concurrent hooks for one session never deliver a note twice", async () => {
    const ctx = await loadContext(repo);
    for (let i = 0; i < 5; i++) assert.equal((await braid(sb, repo, ["note", `burst ${i}`])).code, 0);
    const results = await Promise.all(Array.from({ length: 4 }, () => hookContext(ctx, "api", "UserPromptSubmit")));
    const all = results.join("\n");
    for (let i = 0; i < 5; i++) assert.equal(all.split(`burst ${i}`).length - 1, 1, `burst ${i} delivered once`);
  });

  it("if the notes file is deleted and started again, new notes are still unread", async () => {
    const ctx = await loadContext(repo);
    const { rmSync } = await import("node:fs");
    rmSync(join(sb.home, ".claude", "workflows", "notes", "app.md"));
    assert.equal(unreadCount(ctx, "api"), 0);
    assert.equal((await braid(sb, repo, ["note", "fresh start"])).code, 0);
    assert.equal(unreadCount(ctx, "api"), 1);
    assert.match((await hookContext(ctx, "api", "UserPromptSubmit")) ?? "", /fresh start/);
  });

  it("braid send --notes: one line for agents without hooks; marked read only once delivered", async () => {
    const ctx = await loadContext(repo);
    await hookContext(ctx, "api", "UserPromptSubmit");
    const none = await braid(sb, repo, ["send", "api", "--notes"]);
    assert.equal(none.code, 0, none.stderr);
    assert.match(none.stdout, /no unread notes for api/);
    assert.equal((await braid(sb, repo, ["note", "line one\nline two", "--from", "auth"])).code, 0);
    const notes = unreadNotes(ctx, "api");
    assert.equal(notes.length, 1);
    const line = notesAsOneLine(notes);
    assert.ok(!line.includes("\n"), "a newline would submit half a prompt");
    assert.match(line, /\[note from auth\] line one \/ line two/);
    // No agent running: a one-line error, and the note stays unread.
    const r = await braid(sb, repo, ["send", "api", "--notes"]);
    assert.ok(isOneLineError(r), r.stderr);
    assert.equal(unreadCount(ctx, "api"), 1);
    const last = notes[0];
    assert.ok(last);
    await markRead(ctx, "api", last);
    assert.equal(unreadCount(ctx, "api"), 0);
  });
});
