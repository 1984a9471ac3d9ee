// Pure parts of --commit-wip and of the denied-calls figure: author, message, the agent's last words, the result line.
import assert from "node:assert/strict";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { test } from "node:test";
import { lastAssistantText, wipAuthor, wipMessage } from "../../src/merge/wip.js";
import { deniedToolCalls } from "../../src/session/denials.js";

test("wip commits are authored as the agent and say what they hold", () => {
  assert.deepEqual(wipAuthor({ name: "auth", agent: "claude" }), {
    name: "Claude (braid session auth)",
    email: "braid@localhost",
  });
  const m = wipMessage(
    { name: "auth", task: "Add user authentication\nwith sessions" },
    "Login works; logout pending.",
  );
  assert.equal(m.split("\n")[0], "auth: Add user authentication (uncommitted work, committed by braid)");
  assert.match(m, /Task: Add user authentication\nwith sessions/);
  assert.match(m, /The agent's last message:\nLogin works; logout pending\./);
});

test("the agent's last message and the denied calls are read from the end of their files", () => {
  const dir = mkdtempSync(join(tmpdir(), "braid-wip-"));
  try {
    const t = join(dir, "t.jsonl");
    const line = (o: unknown) => `${JSON.stringify(o)}\n`;
    writeFileSync(
      t,
      line({ type: "assistant", message: { content: [{ type: "text", text: "first" }] } }) +
        line({ type: "assistant", message: { content: [{ type: "text", text: "Done: all tests pass." }] } }) +
        line({ type: "assistant", message: { content: [{ type: "tool_use", name: "Bash" }] } }) +
        line({ type: "user", message: { content: "ok" } }),
    );
    assert.equal(lastAssistantText(t), "Done: all tests pass.");
    assert.equal(lastAssistantText(join(dir, "missing")), null);
    const log = join(dir, "output.log");
    writeFileSync(log, `${line({ type: "system" })}not json\n`);
    assert.equal(deniedToolCalls(log), null, "no result yet");
    writeFileSync(log, line({ type: "result", permission_denials: [{ tool_name: "Write" }, { tool_name: "Edit" }] }), {
      flag: "a",
    });
    assert.equal(deniedToolCalls(log), 2);
    assert.equal(deniedToolCalls(null), null);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
