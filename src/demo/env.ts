/**
 * The demo's private world: one temp folder holding the sample repo, its worktrees, a HOME, braid's global
 * data and config, and git's global config. Every command the demo runs gets this environment, so nothing
 * reads or writes the user's own braid state, notes, tmux server or git settings.
 */
import { mkdirSync, mkdtempSync, realpathSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { delimiter, dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { shellQuote } from "../agents/claude.js";
import { agentScript, SAMPLE_REPO } from "./sample.js";

export interface DemoWorld {
  dir: string;
  repo: string;
  home: string;
  braidHome: string;
  config: string;
  cues: string;
  /** For child processes; `undefined` removes a variable the user's shell had. */
  env: Record<string, string | undefined>;
}

const AGENT = fileURLToPath(new URL("./agent.js", import.meta.url));

/** Variables of the caller's own setup that must not reach the demo's commands (BRAID_*, GIT_*, tmux, XDG). */
function inherited(name: string): boolean {
  if (name === "BRAID_DEBUG") return true;
  return !/^(BRAID_|GIT_|XDG_|TMUX$|TMUX_PANE$|CLAUDE_CONFIG_DIR$)/.test(name);
}

/** Make the folder, the config (scripted agent, headless runner) and the environment. */
export function makeWorld(color: boolean): DemoWorld {
  const dir = realpathSync(mkdtempSync(join(tmpdir(), "braid-demo-")));
  const home = join(dir, "home");
  const braidHome = join(home, "braid");
  const cues = join(dir, "agent");
  mkdirSync(braidHome, { recursive: true });
  mkdirSync(cues);
  const script = join(cues, "script.json");
  writeFileSync(script, `${JSON.stringify(agentScript(cues), null, 2)}\n`);
  const config = join(dir, "config.toml");
  const command = [process.execPath, AGENT, script].map((s) => JSON.stringify(s)).join(", ");
  writeFileSync(
    config,
    [
      "# braid demo: a scripted agent instead of Claude Code, run without a terminal (no tmux)",
      'agent = "demo"',
      'runner = "headless"',
      "",
      "[agents.demo]",
      `command = [${command}]`,
      "",
    ].join("\n"),
  );
  const gitconfig = join(dir, "gitconfig");
  writeFileSync(
    gitconfig,
    "[user]\n\tname = braid demo\n\temail = demo@braid.invalid\n[init]\n\tdefaultBranch = main\n[commit]\n\tgpgsign = false\n",
  );
  const env: Record<string, string | undefined> = {};
  for (const name of Object.keys(process.env)) if (!inherited(name)) env[name] = undefined;
  Object.assign(env, {
    HOME: home,
    BRAID_HOME: braidHome,
    BRAID_CONFIG: config,
    BRAID_WORKFLOWS_DIR: join(braidHome, "workflows"),
    GIT_CONFIG_GLOBAL: gitconfig,
    GIT_CONFIG_NOSYSTEM: "1",
    // the verify command says `node`: make it this node even when node is not on PATH
    PATH: [dirname(process.execPath), process.env.PATH].filter(Boolean).join(delimiter),
    ...(color ? { FORCE_COLOR: "1", NO_COLOR: undefined } : { NO_COLOR: "1", FORCE_COLOR: undefined }),
  });
  return { dir, repo: join(dir, SAMPLE_REPO), home, braidHome, config, cues, env };
}

/** `env` for child_process (which wants no undefined values). */
export function processEnv(world: DemoWorld): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = { ...process.env };
  for (const [k, v] of Object.entries(world.env)) {
    if (v === undefined) delete env[k];
    else env[k] = v;
  }
  return env;
}

/**
 * A file to source for a look around a kept demo: the demo's braid variables, `cd` into the repo, and a
 * `braid` function when braid is not on PATH.
 */
export function writeEnvFile(world: DemoWorld, braidOnPath: boolean, bin: string): string {
  const file = join(world.dir, "env");
  const lines = [
    "# source this file to use braid on the kept demo: . <this file>",
    `export BRAID_HOME=${shellQuote(world.braidHome)}`,
    `export BRAID_CONFIG=${shellQuote(world.config)}`,
    `export BRAID_WORKFLOWS_DIR=${shellQuote(world.env.BRAID_WORKFLOWS_DIR ?? "")}`,
    ...(braidOnPath ? [] : [`braid() { ${shellQuote(process.execPath)} ${shellQuote(bin)} "$@"; }`]),
    `cd ${shellQuote(world.repo)}`,
    "",
  ];
  writeFileSync(file, lines.join("\n"));
  return file;
}
