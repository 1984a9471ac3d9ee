/** `braid learn` / `braid memory`: shared per project, deduped, sectioned, and robust to hand edits. */
import assert from "node:assert/strict";
import { mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { after, before, describe, it } from "node:test";
import { braid, isOneLineError, makeRepo, makeSandbox, type Sandbox } from "../helpers/env.js";

describe("braid learn / memory", () => {
  let sb: Sandbox;
  let repo: string;
  let memFile: string;
  const run = (args: string[], cwd = repo, env?: NodeJS.ProcessEnv, input?: string) =>
    braid(sb, cwd, args, { env, input });
  const items = async (cwd = repo, env?: NodeJS.ProcessEnv) => {
    const r = await run(["memory", "--json"], cwd, env);
    assert.equal(r.code, 0, r.stderr);
    return (JSON.parse(r.stdout).sections as Array<{ name: string; items: Array<{ text: string }> }>).flatMap((s) =>
      s.items.map((i) => `${s.name}: ${i.text}`),
    );
  };

  before(async () => {
    sb = makeSandbox();
    repo = makeRepo(sb, "app");
    assert.equal((await run(["new", "auth"])).code, 0);
    memFile = join(sb.home, ".claude", "workflows", "memory", "app.md");
  });
  after(() => sb.cleanup());

  it("two worktrees of one repo resolve the same memory file, named by the project, not the folder", async () => {
    const a = await run(["memory", "--path"]);
    const b = await run(["memory", "--path"], join(sb.root, "app-auth"));
    assert.equal(a.stdout.trim(), memFile);
    assert.equal(b.stdout.trim(), memFile);
    const l = await run(["learn", "Use zod for config", "--section", "Patterns"], join(sb.root, "app-auth"));
    assert.equal(l.code, 0, l.stderr);
    assert.deepEqual(await items(), ["Patterns: Use zod for config"]);
    assert.match(readFileSync(memFile, "utf8"), /- Use zod for config _\(\d{4}-\d{2}-\d{2}, from auth\)_/);
  });

  it("skips exact and near-duplicates (case, spacing, emphasis, trailing dot)", async () => {
    for (const t of ["Use zod for config", "use   ZOD for config.", "Use **zod** for config"]) {
      const r = await run(["learn", t, "--json"]);
      assert.equal(r.code, 0, r.stderr);
      assert.equal(JSON.parse(r.stdout).added.length, 0, t);
    }
    assert.equal((await items()).length, 1);
  });

  it("appends to the right section and creates missing ones; default section Learnings", async () => {
    assert.equal((await run(["learn", "Run migrations before tests", "--section", "gotchas"])).code, 0);
    assert.equal((await run(["learn", "Auth uses JWT", "--section", "Decisions"])).code, 0);
    assert.equal((await run(["learn", "Cache is per worktree", "--section", "Gotchas"])).code, 0);
    assert.equal((await run(["learn", "plain one"])).code, 0);
    assert.deepEqual(await items(), [
      "Patterns: Use zod for config",
      "gotchas: Run migrations before tests",
      "gotchas: Cache is per worktree",
      "Decisions: Auth uses JWT",
      "Learnings: plain one",
    ]);
  });

  it("keeps hand edits and copes with odd shapes: CRLF, fences, no headings, numbered lists", async () => {
    const odd = [
      "Some notes a person wrote, no title.",
      "",
      "1. numbered item",
      "* star item",
      "",
      "```md",
      "## Gotchas",
      "- not a real item, it is inside a code fence",
      "```",
      "",
      "### Gotchas:",
      "+ plus item",
      "",
      "## Empty",
      "",
      "```",
      "unclosed fence at the end",
    ].join("\r\n");
    writeFileSync(memFile, odd);
    const r = await run(["learn", "new gotcha", "--section", "Gotchas"]);
    assert.equal(r.code, 0, r.stderr);
    const r2 = await run(["learn", "brand new", "--section", "Fresh"]);
    assert.equal(r2.code, 0, r2.stderr);
    const dup = await run(["learn", "Star item", "--json"]);
    assert.equal(JSON.parse(dup.stdout).added.length, 0, "hand-written items count for dedupe");
    const text = readFileSync(memFile, "utf8");
    assert.ok(text.startsWith("Some notes a person wrote, no title.\r\n"), "hand-written text kept, CRLF kept");
    assert.ok(text.includes("- not a real item, it is inside a code fence"));
    assert.ok(/### Gotchas:\r\n\+ plus item\r\n- new gotcha _\(/.test(text), text);
    assert.deepEqual(await items(), [
      ": numbered item",
      ": star item",
      "Gotchas:: plus item",
      "Gotchas:: new gotcha",
      "Fresh: brand new",
    ]);
    assert.match(text, /unclosed fence at the end\r\n```\r\n\r\n## Fresh/, "the open fence is closed before appending");
  });

  it("refuses empty, huge and badly named input; keeps NUL and Markdown in text harmless", async () => {
    for (const args of [["learn"], ["learn", " "]]) {
      const r = await run(args);
      assert.ok(isOneLineError(r), r.stderr);
    }
    const huge = await run(["learn", "y".repeat(1001)]);
    assert.ok(isOneLineError(huge));
    assert.match(huge.stderr, /1001 characters.*limit is 1000/);
    for (const s of ["## Evil", "a\nb", "x".repeat(41), ""]) {
      const r = await run(["learn", "ok text", "--section", s]);
      assert.ok(isOneLineError(r), `section ${JSON.stringify(s)}: ${r.stderr}`);
    }
    const before = (await items()).length;
    const r = await run(["learn", "-", "--section", "Gotchas"], repo, undefined, "## not a heading\nnul\u0000here");
    assert.equal(r.code, 0, r.stderr);
    const text = readFileSync(memFile, "utf8");
    assert.ok(text.includes("- ## not a heading nul\\x00here _("), "one bullet line, NUL shown escaped");
    assert.ok(!text.includes("\u0000"));
    assert.equal((await items()).length, before + 1);
  });

  it("--json shape, --path, --edit through $EDITOR spawned without a shell", async () => {
    const j = JSON.parse((await run(["memory", "--json"])).stdout);
    assert.deepEqual(Object.keys(j).sort(), ["exists", "path", "project", "sections", "text"]);
    assert.equal(j.project, "app");
    const editor = join(sb.root, "fake editor.sh");
    writeFileSync(editor, '#!/bin/sh\nprintf -- "- edited by hand\\n" >> "$1"\n', { mode: 0o755 });
    const r = await run(["memory", "--edit"], repo, { EDITOR: editor, VISUAL: "" });
    assert.equal(r.code, 0, r.stderr);
    assert.ok((await items()).some((i) => i.endsWith("edited by hand")));
    const missing = await run(["memory", "--edit"], repo, { EDITOR: "no-such-editor-xyz", VISUAL: "" });
    assert.ok(isOneLineError(missing), missing.stderr);
    assert.match(missing.stderr, /cannot start editor/);
  });

  it("an empty project says how to start; an unusable memory path is a one-line error", async () => {
    const other = makeRepo(sb, "other");
    const r = await run(["memory"], other);
    assert.equal(r.code, 0);
    assert.match(r.stdout, /no memory yet for other .* braid learn/);
    // The workflows dir is a file: nothing can be created under it.
    const blocker = join(sb.root, "blocker");
    writeFileSync(blocker, "");
    const env = { BRAID_WORKFLOWS_DIR: blocker };
    const l = await run(["learn", "x"], other, env);
    assert.ok(isOneLineError(l), l.stderr);
    assert.match(l.stderr, /cannot write memory file/);
    // The memory path is a directory.
    const wf = join(sb.root, "wf-dir");
    mkdirSync(join(wf, "memory", "other.md"), { recursive: true });
    const m = await run(["memory"], other, { BRAID_WORKFLOWS_DIR: wf });
    assert.ok(isOneLineError(m), m.stderr);
  });

  it("--from-session proposes the lines the agent marked, --yes saves them", async () => {
    const worktree = join(sb.root, "app-auth");
    const dir = join(sb.home, ".claude", "projects", worktree.replace(/\//g, "-"));
    mkdirSync(dir, { recursive: true });
    const line = (text: string, id: string) =>
      JSON.stringify({ type: "assistant", message: { id, role: "assistant", content: [{ type: "text", text }] } });
    writeFileSync(
      join(dir, "abc.jsonl"),
      [
        JSON.stringify({ type: "user", message: { role: "user", content: "Learning: from the user, ignored" } }),
        line("Done.\nLearning: the build needs NODE_ENV=test\n**Gotcha:** ports clash above 9000", "m1"),
        line("Done.\nLearning: the build needs NODE_ENV=test\n**Gotcha:** ports clash above 9000", "m1"),
        "{not json",
        line("- Decision: keep sessions in tmux", "m2"),
      ].join("\n"),
    );
    const preview = await run(["learn", "--from-session", "auth"]);
    assert.equal(preview.code, 0, preview.stderr);
    assert.match(preview.stdout, /3 candidate/);
    assert.match(preview.stdout, /nothing saved: run again with --yes/);
    const r = await run(["learn", "--from-session", "auth", "--yes", "--json"]);
    assert.equal(r.code, 0, r.stderr);
    const out = JSON.parse(r.stdout);
    assert.deepEqual(
      out.candidates.map((c: { section: string; text: string }) => `${c.section}: ${c.text}`),
      [
        "Learnings: the build needs NODE_ENV=test",
        "Gotchas: ports clash above 9000",
        "Decisions: keep sessions in tmux",
      ],
    );
    assert.equal(out.added.length, 3);
    assert.match(readFileSync(memFile, "utf8"), /- keep sessions in tmux _\(\d{4}-\d{2}-\d{2}, from auth\)_/);
    const unknown = await run(["learn", "--from-session", "ghost"]);
    assert.ok(isOneLineError(unknown), unknown.stderr);
  });
});
