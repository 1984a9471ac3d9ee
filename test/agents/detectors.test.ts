// Screen-state detectors on real screens (Claude: live captures; Codex/Aider/Gemini: reconstructed from
// their public source and issues, as each fixture's header says), plus the cases that must not fool them.
import assert from "node:assert/strict";
import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, it } from "node:test";
import { ScreenDebouncer } from "../../src/agents/detectors/debounce.js";
import { detectorFor, detectScreenState, type ScreenReading } from "../../src/agents/index.js";
import { REPO_ROOT } from "../helpers/env.js";

const FIXTURES = join(REPO_ROOT, "test", "fixtures", "screens");

/** A fixture's screen without its leading "# " header lines. */
function screen(agent: string, name: string): string {
  const lines = readFileSync(join(FIXTURES, agent, `${name}.txt`), "utf8").split("\n");
  while (lines[0]?.startsWith("# ")) lines.shift();
  return lines.join("\n");
}

const W = (detail: string): ScreenReading => ({ state: "waiting", detail });
const WORKING: ScreenReading = { state: "working" };
const IDLE: ScreenReading = { state: "idle" };

const EXPECTED: Record<string, Record<string, ScreenReading>> = {
  claude: {
    "idle-start": IDLE,
    "idle-after-turn": IDLE,
    "idle-plan-mode": IDLE,
    interrupted: IDLE,
    "working-thinking": WORKING,
    "working-tool": WORKING,
    "permission-bash": W("permission prompt"),
    "permission-write": W("permission prompt"),
    "plan-approval": W("plan approval"),
    question: W("question"),
    "trust-dialog": W("trust dialog"),
    "api-key-prompt": W("api-key prompt"),
    onboarding: W("onboarding"),
  },
  codex: {
    idle: IDLE,
    working: WORKING,
    "permission-command": W("permission prompt"),
    "permission-edits": W("permission prompt"),
    "trust-dialog": W("trust dialog"),
    onboarding: W("onboarding"),
  },
  gemini: {
    idle: IDLE,
    working: WORKING,
    "permission-shell": W("permission prompt"),
    "permission-edit": W("permission prompt"),
    "trust-dialog": W("trust dialog"),
    onboarding: W("onboarding"),
  },
  aider: {
    idle: IDLE,
    "idle-architect": IDLE,
    working: WORKING,
    "permission-shell": W("permission prompt"),
    "question-add-file": W("question"),
    onboarding: W("onboarding"),
  },
};

describe("screen detectors on fixtures", () => {
  for (const [agent, cases] of Object.entries(EXPECTED)) {
    it(`${agent}: every fixture has an expectation and reads as expected`, () => {
      const files = readdirSync(join(FIXTURES, agent))
        .filter((f) => f.endsWith(".txt"))
        .map((f) => f.replace(/\.txt$/, ""))
        .sort();
      assert.deepEqual(files, Object.keys(cases).sort(), "fixtures and expectations match one to one");
      for (const [name, want] of Object.entries(cases)) {
        assert.deepEqual(detectScreenState(agent, screen(agent, name)), want, `${agent}/${name}`);
      }
    });
  }

  it("claude fixtures are real captures (not reconstructions)", () => {
    for (const f of readdirSync(join(FIXTURES, "claude"))) {
      assert.match(readFileSync(join(FIXTURES, "claude", f), "utf8"), /^# Real Claude Code 2\.1\.197 screen/);
    }
    for (const agent of ["codex", "aider", "gemini"]) {
      for (const f of readdirSync(join(FIXTURES, agent))) {
        assert.match(readFileSync(join(FIXTURES, agent, f), "utf8"), /^# NOT a live capture/, `${agent}/${f}`);
      }
    }
  });
});

describe("screen detectors: what must not fool them", () => {
  const idle = screen("claude", "idle-after-turn");

  it("returns null for unknown agents, empty screens and a plain shell", () => {
    assert.equal(detectScreenState("my-agent", idle), null);
    assert.equal(detectScreenState("claude", ""), null);
    assert.equal(detectScreenState("claude", "\n\n   \n"), null);
    assert.equal(detectScreenState("claude", "user@host:~/app$ ls\nREADME.md\nuser@host:~/app$"), null);
    assert.equal(detectScreenState("codex", "user@host:~/app$"), null);
    assert.equal(detectScreenState("gemini", "user@host:~/app$"), null);
  });

  it("maps agent commands and paths to their detector", () => {
    assert.equal(detectorFor("claude"), "claude");
    assert.equal(detectorFor("/usr/local/bin/claude --model opus"), "claude");
    assert.equal(detectorFor("  Codex  "), "codex");
    assert.equal(detectorFor("claude-wrapper"), undefined);
    assert.equal(detectorFor("toString"), undefined, "no prototype keys");
    assert.deepEqual(detectScreenState("/opt/bin/claude --continue", idle), IDLE);
  });

  it("claude: old dialog text or busy hints quoted in the scrollback do not count", () => {
    const quoted = idle.replace(
      "● Hi! What should we build?",
      "● The tool asked: Do you want to proceed?\n  ❯ 1. Yes\n  and the footer said esc to interrupt\n  ✻ Pondering… earlier",
    );
    assert.match(quoted, /Pondering/);
    assert.deepEqual(detectScreenState("claude", quoted), IDLE, "the live bottom is the idle input box");
    const noFooter = quoted.split("\n").slice(0, -1).join("\n");
    assert.deepEqual(detectScreenState("claude", noFooter), IDLE, "the input box alone is enough");
  });

  it("claude: reads screens captured with escape sequences (capture-pane -e) and CRLF", () => {
    const colored = screen("claude", "permission-bash")
      .split("\n")
      .map((l) => `\u001b[38;5;246m${l}\u001b[0m`)
      .join("\r\n");
    assert.deepEqual(detectScreenState("claude", colored), W("permission prompt"));
  });

  it("claude: a half-drawn permission dialog without its options is not yet a prompt", () => {
    const partial = screen("claude", "permission-bash")
      .split("\n")
      .filter((l) => !/\d\.\s*(Yes|No)|Esc to cancel|don't ask again|\/tmp\/braid/.test(l))
      .join("\n");
    assert.match(partial, /Do you want to proceed\?/);
    assert.equal(detectScreenState("claude", partial), null);
  });

  it("claude: a typed but unsent prompt in the input box is still idle", () => {
    const typed = idle.replace(/^❯\u00a0?$/m, "❯ now add tests");
    assert.notEqual(typed, idle);
    assert.deepEqual(detectScreenState("claude", typed.replace(/\? for shortcuts.*$/m, "")), IDLE);
  });

  it("codex: an answered approval above the composer is scrollback, not a prompt", () => {
    const answered = `${screen("codex", "permission-command")}\n\n› Ask Codex to do anything\n\n  gpt-5-codex medium · ~/projects/api`;
    assert.deepEqual(detectScreenState("codex", answered), IDLE);
    const resumed = `${screen("codex", "permission-command")}\n\n• Working (3s • esc to interrupt)\n\n› Ask Codex to do anything`;
    assert.deepEqual(detectScreenState("codex", resumed), WORKING);
  });

  it("aider: a confirm question only counts on the last line", () => {
    const answered = `${screen("aider", "question-add-file")} y\n\n> `;
    assert.deepEqual(detectScreenState("aider", answered), IDLE);
  });

  it("aider: the no-keys message at the prompt is an api-key prompt", () => {
    const s = "No LLM model was specified and no API keys were provided.\nSee https://aider.chat/docs/llms.html\n> ";
    assert.deepEqual(detectScreenState("aider", s), W("api-key prompt"));
  });
});

describe("ScreenDebouncer", () => {
  const working: ScreenReading = { state: "working" };
  const perm: ScreenReading = { state: "waiting", detail: "permission prompt" };
  const trust: ScreenReading = { state: "waiting", detail: "trust dialog" };

  it("reports a reading only after minCount consecutive sightings", () => {
    const d = new ScreenDebouncer({ minCount: 3 });
    assert.equal(d.push(working, 0), null);
    assert.equal(d.push(working, 10), null);
    assert.deepEqual(d.push(working, 20), working);
    assert.deepEqual(d.push(perm, 30), working, "one flicker does not switch");
    assert.deepEqual(d.push(working, 40), working);
    assert.deepEqual(d.push(perm, 50), working);
    assert.deepEqual(d.push(perm, 60), working);
    assert.deepEqual(d.push(perm, 70), perm);
    assert.deepEqual(d.stable, perm);
  });

  it("also requires minMs between the first and the latest sighting", () => {
    const d = new ScreenDebouncer({ minCount: 2, minMs: 500 });
    assert.equal(d.push(working, 1000), null);
    assert.equal(d.push(working, 1200), null, "seen twice but only for 200 ms");
    assert.deepEqual(d.push(working, 1500), working);
  });

  it("treats details as distinct readings and ignores inconclusive (null) readings", () => {
    const d = new ScreenDebouncer({ minCount: 2 });
    d.push(perm, 0);
    assert.equal(d.push(trust, 1), null, "a different detail restarts the count");
    assert.equal(d.push(null, 2), null);
    assert.deepEqual(d.push(trust, 3), trust, "null neither counted nor reset the streak");
    assert.deepEqual(d.push(null, 4), trust, "null keeps the stable reading");
    d.reset();
    assert.equal(d.stable, null);
  });

  it("minCount 1 and minMs 0 report immediately; defaults need two sightings", () => {
    assert.deepEqual(new ScreenDebouncer({ minCount: 1 }).push(working, 0), working);
    const d = new ScreenDebouncer();
    assert.equal(d.push(working, 0), null);
    assert.deepEqual(d.push(working, 1), working);
  });
});
