import assert from "node:assert/strict";
import { randomUUID } from "node:crypto";
import { test } from "node:test";
import { readTranscript, totalCounts } from "../../src/agents/claude/transcript.js";
import { claudeAvailable, claudeEnv, prepareClaudeHome, runClaude, transcriptPath } from "../helpers/claude.js";
import { makeRepo, makeSandbox } from "../helpers/env.js";
import { startModelStub } from "../helpers/model-stub.js";

test("a transcript written by the real Claude CLI: usage summed once per message id", async (t) => {
  if (!claudeAvailable()) return t.skip("claude CLI not installed");
  const sb = makeSandbox();
  const stub = await startModelStub();
  try {
    const repo = makeRepo(sb);
    prepareClaudeHome(sb.home, { trustedPaths: [repo] });
    const u1 = { input_tokens: 1200, output_tokens: 80, cache_read_input_tokens: 300, cache_creation_input_tokens: 40 };
    const u2 = { input_tokens: 1500, output_tokens: 20, cache_read_input_tokens: 0, cache_creation_input_tokens: 0 };
    // Turn 1 has text + a tool call: Claude writes two transcript lines with the same message id.
    stub.scriptForCwd(repo, [
      {
        text: "Writing it.",
        toolUse: { name: "Write", input: { file_path: `${repo}/a.txt`, content: "a\n" } },
        usage: u1,
      },
      { text: "Done.", usage: u2 },
    ]);
    const id = randomUUID();
    const r = await runClaude(repo, claudeEnv(sb, stub.url), [
      "-p",
      "write a.txt",
      "--allowedTools",
      "Write",
      "--session-id",
      id,
    ]);
    assert.equal(r.code, 0, r.stderr);
    const c = readTranscript(transcriptPath(sb.home, repo, id));
    const total = totalCounts(c.byModel);
    assert.deepEqual(total, {
      input: u1.input_tokens + u2.input_tokens,
      output: u1.output_tokens + u2.output_tokens,
      cacheRead: 300,
      cacheWrite: 40,
    });
    assert.deepEqual(Object.keys(c.byModel).length, 1, `one model: ${Object.keys(c.byModel)}`);
    // reading again from the cursor adds nothing
    assert.deepEqual(totalCounts(readTranscript(transcriptPath(sb.home, repo, id), c).byModel), total);
  } finally {
    await stub.stop();
    sb.cleanup();
  }
});
