/** Fast checks without agents: swarm plan validation, owned-path overlap, waves, plan-file validation. */
import assert from "node:assert/strict";
import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { describe, it } from "node:test";
import { findJson } from "../../src/agents/invoke.js";
import { findCycle, waves } from "../../src/swarm/graph.js";
import { ownedOverlap } from "../../src/swarm/overlap.js";
import { validatePlan } from "../../src/swarm/plan.js";
import { braid, isOneLineError } from "../helpers/env.js";
import { useRepo } from "../helpers/suite.js";

const st = (id: string, owns: string[], depends_on: string[] = []) => ({
  id,
  title: id,
  instructions: id,
  owns,
  depends_on,
});

describe("swarm plan validation", () => {
  it("accepts batches with disjoint files and earlier-batch dependencies", () => {
    const r = validatePlan({
      batches: [{ subtasks: [st("a", ["src/a.ts"])] }, { subtasks: [st("b", ["src/b.ts"], ["a"])] }],
    });
    assert.ok(r.ok);
    assert.deepEqual(r.ok && r.plan.batches.map((b) => b.map((s) => s.id)), [["a"], ["b"]]);
  });
  const bad: [string, unknown, RegExp][] = [
    [
      "two subtasks of a batch own one file",
      { batches: [{ subtasks: [st("a", ["x.ts"]), st("b", ["./x.ts"])] }] },
      /both own/,
    ],
    [
      "a directory and a file in it",
      { batches: [{ subtasks: [st("a", ["src/"]), st("b", ["src/b.ts"])] }] },
      /both own/,
    ],
    [
      "a glob covering another's file",
      { batches: [{ subtasks: [st("a", ["src/**"]), st("b", ["src/x/y.ts"])] }] },
      /both own/,
    ],
    [
      "a cycle",
      { batches: [{ subtasks: [st("a", ["a"], ["b"])] }, { subtasks: [st("b", ["b"], ["a"])] }] },
      /cycle|earlier batches/,
    ],
    ["a self-dependency", { batches: [{ subtasks: [st("a", ["a"], ["a"])] }] }, /cycle/],
    [
      "a dependency on the same batch",
      { batches: [{ subtasks: [st("a", ["a"]), st("b", ["b"], ["a"])] }] },
      /earlier batches/,
    ],
    ["an unknown dependency", { batches: [{ subtasks: [st("a", ["a"], ["zz"])] }] }, /unknown subtask "zz"/],
    ["a duplicate id", { batches: [{ subtasks: [st("a", ["a"])] }, { subtasks: [st("a", ["b"])] }] }, /used twice/],
    ["no batches", { batches: [] }, /batches/],
    ["a subtask owning nothing", { batches: [{ subtasks: [st("a", [])] }] }, /own at least one path/],
    ["not an object", "plan: do it", /answer/],
  ];
  for (const [label, raw, re] of bad) {
    it(`rejects ${label}`, () => {
      const r = validatePlan(raw);
      assert.equal(r.ok, false);
      assert.match(r.ok ? "" : r.errors.join("\n"), re);
    });
  }
  it("treats unrelated paths as disjoint", () => {
    assert.equal(ownedOverlap("src/a.ts", "src/ab.ts"), false);
    assert.equal(ownedOverlap("src/**/*.ts", "test/x.ts"), false);
    assert.equal(ownedOverlap("docs", "src/docs"), false);
  });
  it("finds cycles and waves", () => {
    assert.deepEqual(
      findCycle(
        new Map([
          ["a", ["b"]],
          ["b", ["a"]],
        ]),
      ),
      ["a", "b", "a"],
    );
    assert.equal(
      findCycle(
        new Map([
          ["a", []],
          ["b", ["a"]],
        ]),
      ),
      null,
    );
    assert.deepEqual(
      waves(
        new Map([
          ["a", []],
          ["b", []],
          ["c", ["a"]],
        ]),
      ),
      [["a", "b"], ["c"]],
    );
  });
  it("finds the JSON in an agent's answer", () => {
    assert.deepEqual(findJson('Here:\n```json\n{"verdict":"PASS"}\n```'), { verdict: "PASS" });
    assert.deepEqual(findJson('ok {"a":1} done'), { a: 1 });
    assert.equal(findJson("no json here"), null);
  });
});

describe("braid plan FILE (validation and waves)", () => {
  const { sb, repo } = useRepo();
  const plan = (name: string, text: string) => {
    const p = join(sb.root, name);
    writeFileSync(p, text);
    return p;
  };

  it("prints waves, with interface sessions first", async () => {
    const p = plan(
      "good.toml",
      `[[session]]
name = "types"
task = "define the API types"
owns = ["src/types.ts"]
interface = true

[[session]]
name = "api"
task = "implement the API"
owns = ["src/api/"]

[[session]]
name = "ui"
task = "build the UI"
owns = ["src/ui/"]
mode = "swarm"

[[session]]
name = "e2e"
task = "end-to-end tests"
owns = ["test/e2e/"]
depends_on = ["api", "ui"]
`,
    );
    const r = await braid(sb, repo, ["plan", p, "--json"]);
    assert.equal(r.code, 0, r.stderr);
    const out = JSON.parse(r.stdout);
    assert.deepEqual(out.waves, [["types"], ["api", "ui"], ["e2e"]]);
    assert.deepEqual(out.sessions.find((s: { name: string }) => s.name === "api").depends_on, ["types"]);
    assert.equal(out.applied, null);
    const text = await braid(sb, repo, ["plan", p]);
    assert.match(text.stdout, /wave 1: types\nwave 2: api, ui\nwave 3: e2e/);
    assert.match(text.stderr, /exceed the recommendation/, "4 code sessions on a tiny repo: warn, do not fail");
  });

  const invalid: [string, string, RegExp][] = [
    ["an unknown key", `[[session]]\nname = "a"\ntask = "t"\nowner = ["x"]\n`, /unknown key "session\[1\]\.owner"/],
    ["an unknown top-level key", `sessions = 1\n[[session]]\nname = "a"\ntask = "t"\n`, /unknown key "sessions"/],
    [
      "a cycle",
      `[[session]]\nname = "a"\ntask = "t"\ndepends_on = ["b"]\n[[session]]\nname = "b"\ntask = "t"\ndepends_on = ["a"]\n`,
      /dependency cycle/,
    ],
    ["an unknown dependency", `[[session]]\nname = "a"\ntask = "t"\ndepends_on = ["zz"]\n`, /depends on "zz"/],
    [
      "shared files",
      `[[session]]\nname = "a"\ntask = "t"\nowns = ["src/"]\n[[session]]\nname = "b"\ntask = "t"\nowns = ["src/x.ts"]\n`,
      /both own/,
    ],
    ["a duplicate name", `[[session]]\nname = "a"\ntask = "t"\n[[session]]\nname = "a"\ntask = "u"\n`, /listed twice/],
    ["a bad mode", `[[session]]\nname = "a"\ntask = "t"\nmode = "fast"\n`, /bad value for "session\[1\]\.mode"/],
    ["a bad session name", `[[session]]\nname = "a/b"\ntask = "t"\n`, /path separator/],
    ["broken TOML", `[[session]\nname = `, /not valid TOML/],
    ["no sessions", `base = "main"\n`, /session/],
    ["a bad host name", `[[session]]\nname = "a"\ntask = "t"\nhost = "a b"\n`, /bad host "a b"/],
    [
      "a swarm on a host",
      `host = "auto"\n[[session]]\nname = "a"\ntask = "t"\nmode = "swarm"\n`,
      /"a" is a swarm on host auto/,
    ],
  ];
  for (const [label, text, re] of invalid) {
    it(`refuses a plan with ${label}`, async () => {
      const r = await braid(sb, repo, ["plan", plan(`bad-${label.replace(/\W+/g, "-")}.toml`, text)]);
      assert.ok(isOneLineError(r), `${r.code}: ${r.stderr}`);
      assert.match(r.stderr, re);
    });
  }
  it("refuses a missing plan file", async () => {
    const r = await braid(sb, repo, ["plan", join(sb.root, "nope.toml")]);
    assert.ok(isOneLineError(r));
    assert.match(r.stderr, /plan file not found/);
  });
});
