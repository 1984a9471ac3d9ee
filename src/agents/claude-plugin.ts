/**
 * The guide's in-session commands as Claude Code slash commands, in a plugin braid owns and passes with
 * `--plugin-dir` (nothing is written into the user's repository or ~/.claude): `/braid:status` (every session
 * of the repo), `/braid:note TEXT` (post a note to the other sessions), `/braid:learn TEXT` (save a learning).
 * Each runs braid through Claude's `!` command expansion, so its output is what the model sees. The folder is
 * keyed by its content (braid's node and launcher paths), so it is written once and never changed under a
 * running agent.
 */
import { existsSync, mkdirSync, renameSync, rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { hashHex } from "../infra/hash.js";
import { braidHome } from "../project/paths.js";

/** A path as one shell word: bare when it is plain (so Claude's Bash(prefix:*) rules match it), else quoted. */
function word(s: string): string {
  return /^[A-Za-z0-9_./+@-]+$/.test(s) ? s : `'${s.replace(/'/g, `'\\''`)}'`;
}

interface CommandSpec {
  name: string;
  description: string;
  hint?: string;
  args: string;
  /** What the model is asked to do with the output. */
  after: string;
}

const COMMANDS: CommandSpec[] = [
  {
    name: "status",
    description: "braid: every session of this repository, its state and git figures",
    args: "status",
    after: "This is the state of every braid session of this repository. Summarize it briefly for the user.",
  },
  {
    name: "note",
    description: "braid: post a note every other session's agent sees on its next prompt",
    hint: "TEXT",
    args: 'note -- "$ARGUMENTS"',
    after: "The note above is posted. Tell the user in one line.",
  },
  {
    name: "learn",
    description: "braid: save a learning to the project memory shared by every session",
    hint: "TEXT",
    args: 'learn -- "$ARGUMENTS"',
    after: "The learning above is saved. Tell the user in one line.",
  },
];

function commandFile(c: CommandSpec, braid: string): string {
  return [
    "---",
    `description: ${c.description}`,
    ...(c.hint ? [`argument-hint: ${c.hint}`] : []),
    `allowed-tools: Bash(${braid} ${c.args.split(" ")[0]}:*)`,
    // the user's command: the model must not run braid with text of its own through it
    "disable-model-invocation: true",
    "---",
    `!\`${braid} ${c.args}\``,
    "",
    c.after,
    "",
  ].join("\n");
}

export function pluginFiles(node: string, bin: string): Record<string, string> {
  const braid = `${word(node)} ${word(bin)}`;
  const files: Record<string, string> = {
    ".claude-plugin/plugin.json": `${JSON.stringify({ name: "braid", description: "braid's in-session commands" }, null, 2)}\n`,
  };
  for (const c of COMMANDS) files[`commands/${c.name}.md`] = commandFile(c, braid);
  return files;
}

/** The plugin folder for this braid (written on first use), under braid's own data directory. */
export function claudePluginDir(node: string, bin: string): string {
  const files = pluginFiles(node, bin);
  const hash = hashHex("sha256", JSON.stringify(files)).slice(0, 12);
  const dir = join(braidHome(), "claude-plugin", hash);
  if (existsSync(join(dir, ".claude-plugin", "plugin.json"))) return dir;
  // built aside and renamed into place: a concurrent launch sees the whole folder or none
  const tmp = `${dir}.tmp-${process.pid}-${Date.now()}`;
  for (const [rel, text] of Object.entries(files)) {
    mkdirSync(join(tmp, rel, ".."), { recursive: true });
    writeFileSync(join(tmp, rel), text);
  }
  try {
    renameSync(tmp, dir);
  } catch {
    rmSync(tmp, { recursive: true, force: true }); // another launch won the race: its folder is the same
  }
  return dir;
}
