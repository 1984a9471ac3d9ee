import assert from "node:assert/strict";
import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { test } from "node:test";
import { braid, isOneLineError, makeRepo, makeSandbox } from "../helpers/env.js";
import { assistantLine, writeTranscript } from "../helpers/transcripts.js";

const U = {
  input_tokens: 1_000_000,
  output_tokens: 100_000,
  cache_read_input_tokens: 0,
  cache_creation_input_tokens: 0,
};

test("braid cost --json: per-session tokens and $, de-duplicated, incremental, priced by table and config", async () => {
  const sb = makeSandbox();
  try {
    const repo = makeRepo(sb);
    for (const n of ["auth", "docs"]) assert.equal((await braid(sb, repo, ["new", n])).code, 0);
    const wt = join(sb.root, "app-auth");
    writeTranscript(sb.home, wt, "s1.jsonl", [assistantLine("m1", U), assistantLine("m1", U)]);
    const r1 = await braid(sb, repo, ["cost", "--json"]);
    assert.equal(r1.code, 0, r1.stderr);
    const j1 = JSON.parse(r1.stdout);
    const auth = j1.sessions.find((s: { session: string }) => s.session === "auth");
    assert.deepEqual(auth.tokens, { input: 1_000_000, output: 100_000, cacheRead: 0, cacheWrite: 0 });
    assert.equal(auth.costUsd, 4.5); // sonnet: $3 in + $1.5 out
    const docs = j1.sessions.find((s: { session: string }) => s.session === "docs");
    assert.equal(docs.tokens, null);
    assert.equal(docs.costUsd, null);
    assert.equal(j1.total.costUsd, 4.5);

    // appended lines (and a second transcript, a haiku model) are added on the next call
    writeTranscript(sb.home, wt, "s1.jsonl", [assistantLine("m2", U)]);
    writeTranscript(sb.home, wt, "s2.jsonl", [assistantLine("h1", U, "claude-haiku-4-5-20251001")]);
    const j2 = JSON.parse((await braid(sb, repo, ["cost", "--json"])).stdout);
    assert.equal(j2.sessions[0].costUsd, 10.5); // 4.5 * 2 + haiku $1 + $0.5
    assert.equal(j2.sessions[0].transcripts, 2);
    assert.equal(j2.total.tokens.input, 3_000_000);

    // config prices override the table; unknown models are listed and warned about
    writeFileSync(join(repo, "braid.toml"), '[prices."claude-sonnet-4-5"]\ninput = 0\noutput = 0\n');
    writeTranscript(sb.home, wt, "s2.jsonl", [assistantLine("x1", U, "local-llama")]);
    const r3 = await braid(sb, repo, ["cost"]);
    assert.equal(r3.code, 0, r3.stderr);
    assert.match(r3.stdout, /auth\s+claude\s+|auth\s+-\s+/);
    assert.match(r3.stdout, /TOTAL.*\$1\.50/);
    assert.match(r3.stderr, /no price for local-llama/);
  } finally {
    sb.cleanup();
  }
});

test("braid cost outside a repository is a one-line error", async () => {
  const sb = makeSandbox();
  try {
    const r = await braid(sb, sb.root, ["cost"]);
    assert.ok(isOneLineError(r), r.stderr);
  } finally {
    sb.cleanup();
  }
});
