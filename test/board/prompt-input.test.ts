import assert from "node:assert/strict";
import { test } from "node:test";
import type { Key } from "ink";
import type { PromptState } from "../../src/ui/board/model.js";
import { typeIntoPrompt } from "../../src/ui/board/prompt-input.js";

const NO_KEY = {} as Key;
const prompt = (fields: string[]): PromptState => ({ kind: "new", fields, answers: [], value: "" });

test("a chunk with line breaks answers one field per line and submits after the last", () => {
  const p = prompt(["name", "type", "task"]);
  const a = typeIntoPrompt(p, "api\r\nresearch\rmap", NO_KEY);
  assert.deepEqual(a.prompt?.answers, ["api", "research"]);
  assert.equal(a.prompt?.value, "map");
  assert.equal(a.submitted, null);
  const b = typeIntoPrompt(a.prompt as PromptState, " it\rleftover", NO_KEY);
  assert.equal(b.prompt, null);
  assert.deepEqual(b.submitted?.answers, ["api", "research", "map it"], "text after the last Enter is dropped");
});

test("keys one by one, backspace, control characters and escape", () => {
  const p = prompt(["send"]);
  const a = typeIntoPrompt(p, "ab\tc", NO_KEY);
  assert.equal(a.prompt?.value, "abc");
  const b = typeIntoPrompt(a.prompt as PromptState, "", { backspace: true } as Key);
  assert.equal(b.prompt?.value, "ab");
  const c = typeIntoPrompt(b.prompt as PromptState, "\r", { return: true } as Key);
  assert.deepEqual(c.submitted?.answers, ["ab"]);
  assert.deepEqual(typeIntoPrompt(p, "", { escape: true } as Key), { prompt: null, submitted: null });
});
