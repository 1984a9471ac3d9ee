// Pure helpers behind `braid logs` and failure details: the useful line, readable lines, following a screen.
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { withAnswerHint } from "../../src/agents/detectors/hints.js";
import { firstUsefulLine, logLines } from "../../src/runtime/output.js";
import { newLines } from "../../src/session/logs.js";

describe("agent output", () => {
  it("the first useful line: trouble first, else the last line; escapes, frames and JSON handled", () => {
    const screen = [
      "\x1b[1mWelcome to Claude Code\x1b[0m",
      "░░░░ ▓▓▓",
      "",
      " Unable to connect to Anthropic services",
      " Failed to connect to api.anthropic.com: ENOTFOUND",
    ].join("\n");
    assert.equal(firstUsefulLine(screen), "Unable to connect to Anthropic services");
    assert.equal(firstUsefulLine("all good\nbye\n"), "bye");
    assert.equal(firstUsefulLine(""), null);
    const json = `${JSON.stringify({ type: "system" })}\n${JSON.stringify({ type: "result", is_error: true, result: "API Error: Connection error." })}\n`;
    assert.equal(firstUsefulLine(json), "API Error: Connection error.");
    assert.ok((firstUsefulLine(`error: ${"x".repeat(300)}`) ?? "").length <= 120);
  });

  it("log lines keep blank lines inside, drop trailing ones and escape sequences", () => {
    assert.deepEqual(logLines("\x1b[31ma\x1b[0m\r\n\nb  \n\n\n"), ["a", "", "b"]);
  });

  it("new lines of a re-read screen: only what came after the last lines seen", () => {
    assert.deepEqual(newLines(["a", "b", "c"], ["b", "c", "d", "e"]), ["d", "e"]);
    assert.deepEqual(newLines([], ["x"]), ["x"]);
    assert.deepEqual(newLines(["a", "b", "c"], ["a", "b", "c"]), []);
    assert.deepEqual(newLines(["q"], ["z"]), ["z"], "no overlap: everything is new");
  });

  it("waiting details say what to answer", () => {
    assert.equal(withAnswerHint("trust dialog", "auth"), "trust dialog: braid send auth 1");
    assert.equal(withAnswerHint("api-key prompt", "auth"), "api-key prompt: braid send auth 1");
    assert.match(withAnswerHint("onboarding", "auth") ?? "", /braid attach auth/);
    assert.equal(withAnswerHint("permission prompt: Bash", "a"), "permission prompt: Bash — allow: braid send a 1");
    assert.equal(withAnswerHint("question", "a"), "question");
  });
});
