// The command definitions are the one source of flags: every docs/<command>.md lists exactly its command's
// flags under `## Flags` (one flag per line, first thing on the line, in backticks: a table row
// "| `--flag VALUE` | meaning |" or a list item "- `--flag` meaning"), and the README's command table names
// every command with each of its flags. Commands with subcommands document the flags of all of them.
import assert from "node:assert/strict";
import { existsSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, it } from "node:test";
import type { Command } from "commander";
import { buildProgram } from "../../src/cli/program.js";
import { REPO_ROOT } from "../helpers/env.js";

const FLAG_LINE = /^\s*(?:\|\s*|[-*]\s+)`(--[a-z][a-z0-9-]*)/;

/** Long flags of a command and its subcommands (help/version left out, hidden ones too). */
function flagsOf(c: Command): Set<string> {
  const out = new Set<string>();
  for (const o of c.options) if (o.long && !o.hidden && o.long !== "--help" && o.long !== "--version") out.add(o.long);
  for (const sub of c.commands) for (const f of flagsOf(sub)) out.add(f);
  return out;
}

/** The lines of a page's `## Flags` section, or null when it has none. */
function flagsSection(page: string): string[] | null {
  const lines = page.split("\n");
  const start = lines.findIndex((l) => /^## Flags\s*$/.test(l));
  if (start < 0) return null;
  const end = lines.findIndex((l, i) => i > start && /^## /.test(l));
  return lines.slice(start + 1, end < 0 ? undefined : end);
}

/** The README's `## Commands` section. */
function readmeCommands(): string {
  const readme = readFileSync(join(REPO_ROOT, "README.md"), "utf8");
  const m = /^## Commands\s*$([\s\S]*?)(?=^## )/m.exec(readme);
  assert.ok(m, "README.md has no ## Commands section");
  return m[1] ?? "";
}

describe("docs follow the command definitions", async () => {
  // An argv naming no command registers them all (the bare top-level help registers stand-ins only).
  const program = await buildProgram(["\0every-command"]);
  const commands = program.commands.filter((c) => !(c as unknown as { _hidden: boolean })._hidden);

  it("the program has its commands (the walk sees them)", () => {
    assert.ok(commands.length >= 20, `only ${commands.length} commands found`);
    assert.ok(flagsOf(commands.find((c) => c.name() === "start")!).has("--headless"));
  });

  for (const c of commands) {
    const name = c.name();
    it(`docs/${name}.md lists exactly the flags of braid ${name}`, () => {
      const file = join(REPO_ROOT, "docs", `${name}.md`);
      assert.ok(existsSync(file), `docs/${name}.md is missing: write the page for braid ${name} (with ## Flags)`);
      const section = flagsSection(readFileSync(file, "utf8"));
      const want = [...flagsOf(c)].sort();
      assert.ok(
        section,
        `docs/${name}.md has no "## Flags" section: add one listing ${want.length ? want.join(", ") : '"No flags."'}`,
      );
      const listed = section.map((l) => FLAG_LINE.exec(l)?.[1]).filter((f): f is string => f !== undefined);
      const problems = [
        ...want.filter((f) => !listed.includes(f)).map((f) => `docs/${name}.md lacks ${f}: add it under ## Flags`),
        ...listed
          .filter((f) => !want.includes(f))
          .map((f) => `docs/${name}.md lists ${f}, which braid ${name} does not have: remove it from ## Flags`),
        ...listed
          .filter((f, i) => listed.indexOf(f) !== i)
          .map((f) => `docs/${name}.md lists ${f} twice under ## Flags`),
      ];
      assert.deepEqual(problems, [], problems.join("\n"));
    });
  }

  it("the README's command table names every command and each of its flags", () => {
    const rows = readmeCommands().split("\n");
    const problems: string[] = [];
    for (const c of commands) {
      const n = c.name();
      const mine = rows.filter((l) => new RegExp(`\`braid ${n}(?![a-z-])`).test(l)).join(" ");
      if (!mine) {
        problems.push(`README.md's command table lacks braid ${n}: add a row for it`);
        continue;
      }
      for (const f of flagsOf(c))
        if (!new RegExp(`${f}(?![a-z-])`).test(mine))
          problems.push(`README.md's row for braid ${n} lacks ${f}: add it to the command's usage there`);
    }
    assert.deepEqual(problems, [], problems.join("\n"));
  });
});
