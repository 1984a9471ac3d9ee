// Session names become folders, branches and tmux windows: each refusal names what is wrong.
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { validateSessionName } from "../../src/worktree/names.js";

describe("session names", () => {
  it("accepts letters, digits, '.', '_' and '-'", () => {
    for (const ok of ["auth", "auth-api", "v1.2", "a_b", "9lives"]) validateSessionName(ok);
  });

  for (const [name, reason] of [
    ["", /is empty/],
    ["-x", /starts with '-'/],
    ["a/b", /path separator/],
    ["a..b", /contains '\.\.'/],
    ["a b", /whitespace/],
    ["a.lock", /ends in "\.lock", which git forbids/],
    ["a.", /ends in '\.', which git forbids/],
    ["a:b", /has characters braid does not allow/],
    ["x".repeat(65), /longer than 64/],
  ] as const) {
    it(`refuses ${JSON.stringify(name)} saying why`, () => {
      assert.throws(() => validateSessionName(name), reason);
    });
  }
});
