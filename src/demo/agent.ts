/**
 * braid's built-in scripted agent, used by `braid demo`: no model, no network. braid runs it as a custom
 * agent (`agents.demo.command = [node, agent.js, SCRIPT]`, the prompt appended as the last argument); it
 * plays the steps scripted for its session (BRAID_SESSION) in SCRIPT, a JSON file:
 *   { "<session>": [ { "write": { "path": "content" } }, { "waitFor": "/abs/file" }, { "commit": "msg" } ] }
 * and says what it does on stdout (the session's log), like a terse real agent would.
 */
import { existsSync, readFileSync, writeFileSync } from "node:fs";
import { Repo } from "../git/repo.js";
import { writeFiles } from "./files.js";

export type AgentStep =
  /** Write files (paths relative to the worktree). */
  | { write: Record<string, string> }
  /** Wait until this file exists (the demo's cue), giving up after WAIT_LIMIT_MS. */
  | { waitFor: string }
  /** Stage everything and commit it with this message. */
  | { commit: string }
  /** Create this file (tells the demo a step is done). */
  | { touch: string };

export type AgentScript = Record<string, AgentStep[]>;

/** A cue that never comes (the demo died) must not leave an agent running for ever. */
const WAIT_LIMIT_MS = 120_000;

/** Wait for `file`; false when the limit passed or the worktree was removed (the demo was interrupted). */
async function waitFor(file: string, cwd: string): Promise<boolean> {
  const deadline = Date.now() + WAIT_LIMIT_MS;
  while (!existsSync(file)) {
    if (Date.now() > deadline || !existsSync(cwd)) return false;
    await new Promise((r) => setTimeout(r, 50));
  }
  return true;
}

async function play(steps: AgentStep[], cwd: string): Promise<number> {
  for (const step of steps) {
    if ("write" in step) {
      writeFiles(cwd, step.write);
      process.stdout.write(`edited ${Object.keys(step.write).join(", ")}\n`);
    } else if ("waitFor" in step) {
      if (!(await waitFor(step.waitFor, cwd))) {
        process.stdout.write(`gave up waiting for ${step.waitFor}\n`);
        return 1;
      }
    } else if ("commit" in step) {
      const repo = new Repo(cwd);
      await repo.stageAll();
      await repo.commit(step.commit);
      process.stdout.write(`committed: ${step.commit}\n`);
    } else {
      writeFileSync(step.touch, "");
    }
  }
  return 0;
}

async function main(args: string[]): Promise<number> {
  const [scriptPath, prompt] = args;
  const session = process.env.BRAID_SESSION;
  if (!scriptPath || !session) {
    process.stderr.write("braid demo agent: usage: BRAID_SESSION=<name> agent.js <script.json> [prompt]\n");
    return 2;
  }
  const steps = (JSON.parse(readFileSync(scriptPath, "utf8")) as AgentScript)[session];
  if (!steps) {
    process.stderr.write(`braid demo agent: nothing scripted for session "${session}" in ${scriptPath}\n`);
    return 2;
  }
  process.stdout.write(`task: ${prompt ?? "(none)"}\n`);
  return play(steps, process.cwd());
}

main(process.argv.slice(2)).then(
  (code) => {
    process.exitCode = code;
  },
  (e: Error) => {
    process.stderr.write(`braid demo agent: ${e.message}\n`);
    process.exitCode = 1;
  },
);
