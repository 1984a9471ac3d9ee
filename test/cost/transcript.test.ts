import assert from "node:assert/strict";
import { appendFileSync, rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { test } from "node:test";
import {
  countLine,
  emptyCursor,
  projectFolderName,
  readTranscript,
  totalCounts,
  usageOfLine,
} from "../../src/agents/claude/transcript.js";
import { priceFor } from "../../src/session/prices.js";
import { makeSandbox } from "../helpers/env.js";
import { assistantLine } from "../helpers/transcripts.js";

const U = { input_tokens: 100, output_tokens: 7, cache_read_input_tokens: 50, cache_creation_input_tokens: 20 };

test("usage counts once per message id; a later line of the same response replaces, never adds", () => {
  const c = emptyCursor();
  countLine(c, assistantLine("msg_1", { ...U, output_tokens: 1 }));
  countLine(c, assistantLine("msg_1", U));
  countLine(c, assistantLine("msg_1", U));
  countLine(c, assistantLine("msg_2", U));
  countLine(c, JSON.stringify({ type: "user", message: { role: "user", content: "x" } }));
  countLine(c, "not json {");
  assert.deepEqual(totalCounts(c.byModel), { input: 200, output: 14, cacheRead: 100, cacheWrite: 40 });
});

test("synthetic (local) messages and lines without usage are ignored", () => {
  assert.equal(usageOfLine(assistantLine("m", U, "<synthetic>")), null);
  assert.equal(usageOfLine(JSON.stringify({ type: "summary", summary: "usage" })), null);
  assert.equal(usageOfLine(JSON.stringify({ type: "assistant", message: { id: "x" } })), null);
});

test("incremental read: only appended complete lines are read; a replaced file starts over", () => {
  const sb = makeSandbox();
  try {
    const f = join(sb.root, "t.jsonl");
    const lineB = assistantLine("b", U);
    writeFileSync(f, `${assistantLine("a", U)}\n${lineB.slice(0, 30)}`);
    const c1 = readTranscript(f);
    assert.equal(totalCounts(c1.byModel).input, 100, "the half-written line is not read");
    // the writer finishes line b and writes another block of the same response
    appendFileSync(f, `${lineB.slice(30)}\n${lineB}\n`);
    const c3 = readTranscript(f, c1);
    assert.equal(totalCounts(c3.byModel).input, 200);
    assert.equal(totalCounts(c1.byModel).input, 100, "the input cursor is not mutated");
    assert.equal(readTranscript(f, c3).offset, c3.offset, "nothing new: nothing read");
    // replaced by a new (shorter) file: counted from scratch
    rmSync(f);
    writeFileSync(f, `${assistantLine("z", { input_tokens: 5, output_tokens: 1 })}\n`);
    const c4 = readTranscript(f, c3);
    assert.deepEqual(totalCounts(c4.byModel), { input: 5, output: 1, cacheRead: 0, cacheWrite: 0 });
    // missing file: cursor unchanged
    assert.equal(readTranscript(join(sb.root, "nope.jsonl"), c4), c4);
  } finally {
    sb.cleanup();
  }
});

test("claude's project folder name replaces every non-alphanumeric character", () => {
  assert.equal(projectFolderName("/tmp/e-probe/wt/my.proj"), "-tmp-e-probe-wt-my-proj");
  assert.equal(projectFolderName("/home/a b/x_y"), "-home-a-b-x-y");
});

test("prices: exact model ids (date and [1m] suffix dropped), never a prefix across generations; config overrides; unknown is null", () => {
  assert.deepEqual(priceFor("claude-opus-4-8[1m]"), { input: 5, output: 25, cacheRead: 0.5, cacheWrite: 6.25 });
  assert.equal(priceFor("claude-opus-4-8")?.output, 25);
  assert.equal(priceFor("claude-opus-4-1-20250805")?.input, 15);
  assert.equal(priceFor("claude-opus-4-9"), null, "an unknown generation is unpriced, not priced like claude-opus-4");
  assert.equal(priceFor("claude-sonnet-4-5-foo"), null);
  const sonnet = priceFor("claude-sonnet-4-5-20250929");
  assert.deepEqual(sonnet, { input: 3, output: 15, cacheRead: 0.3, cacheWrite: 3.75 });
  assert.equal(priceFor("claude-opus-4-5-20251101")?.input, 5);
  assert.equal(priceFor("claude-opus-4-20250514")?.input, 15);
  assert.equal(priceFor("gpt-9"), null);
  const over = priceFor("claude-sonnet-4-5-20250929", { "claude-sonnet-4-5": { input: 1, output: 2, cache_read: 0 } });
  assert.deepEqual(over, { input: 1, output: 2, cacheRead: 0, cacheWrite: 1.25 });
  assert.equal(priceFor("my-local", { "my-local": { input: 0, output: 0 } })?.output, 0);
});
