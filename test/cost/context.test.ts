import assert from "node:assert/strict";
import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { test } from "node:test";
import { contextWindowFor, findFromEnd, latestContextUse } from "../../src/agents/claude/context.js";
import { makeSandbox } from "../helpers/env.js";

const assistant = (id: string, model: string, usage: Record<string, number>) =>
  JSON.stringify({ type: "assistant", message: { id, model, role: "assistant", content: [], usage } });

test("windows: [1m] suffix and the pinned default model are 1M, others 200k", () => {
  assert.equal(contextWindowFor("claude-sonnet-4-6[1m]"), 1_000_000);
  assert.equal(contextWindowFor("claude-opus-4-8"), 1_000_000);
  assert.equal(contextWindowFor("claude-sonnet-4-6"), 200_000);
  assert.equal(contextWindowFor("claude-haiku-4-5"), 200_000);
});

test("the latest usage counts input + cache tokens of the last assistant message, however long the file", () => {
  const sb = makeSandbox();
  try {
    const file = join(sb.root, "t.jsonl");
    const filler = JSON.stringify({ type: "user", message: { role: "user", content: "x".repeat(4000) } });
    const lines = [
      assistant("m1", "claude-sonnet-4-6", { input_tokens: 1, cache_read_input_tokens: 10, output_tokens: 1 }),
      assistant("m2", "claude-sonnet-4-6", {
        input_tokens: 1_000,
        cache_read_input_tokens: 150_000,
        cache_creation_input_tokens: 21_000,
        output_tokens: 900,
      }),
      // over 2 MB of later lines without usage: the reader must widen its window past them
      ...Array.from({ length: 600 }, () => filler),
      JSON.stringify({ type: "assistant", message: { id: "s", model: "<synthetic>", usage: { input_tokens: 5 } } }),
      '{"type":"assistant","message":{"id":"half-writ',
    ];
    writeFileSync(file, lines.join("\n"));
    const use = latestContextUse(file);
    assert.deepEqual(use, { used: 172_000, window: 200_000, percent: 86, model: "claude-sonnet-4-6" });
    assert.equal(latestContextUse(join(sb.root, "missing.jsonl")), null);
    writeFileSync(file, `${filler}\n`);
    assert.equal(latestContextUse(file), null);
    // every complete line is visited once, last first
    writeFileSync(file, "a\nb\nc\n");
    const seen: string[] = [];
    findFromEnd(file, (l) => {
      seen.push(l);
      return null;
    });
    assert.deepEqual(seen, ["c", "b", "a"]);
  } finally {
    sb.cleanup();
  }
});
