/**
 * Shared set-up of the swarm tests: a sandbox repo, the scripted model (planner/executor/reviewer/fixer
 * replies chosen by prompt), and `run` for one `braid swarm run` per scenario.
 */
import { join } from "node:path";
import { after, before } from "node:test";
import { braid, makeRepo, makeSandbox, type RunResult, type Sandbox } from "../helpers/env.js";
import {
  barrier,
  claudeStubEnv,
  type ModelRequest,
  type Reply,
  type ScriptedModel,
  startModel,
} from "./scripted-model.js";

export type Scenario = (req: ModelRequest) => Reply | undefined;

export const role = (r: { prompt: string }) =>
  /^\[braid swarm (planner|executor|reviewer|fixer)/.exec(r.prompt)?.[1] ?? "other";
export const executorId = (r: { prompt: string }) => /^\[braid swarm executor ([\w-]+)\]/.exec(r.prompt)?.[1] ?? "";

export const subtask = (id: string, file: string, depends_on: string[] = []) => ({
  id,
  title: `write ${file}`,
  instructions: `create ${file}`,
  owns: [file],
  depends_on,
});
export const PASS = { structured: { verdict: "PASS", summary: "fine", issues: [] } };

/** Executors write `<id>.txt` (their own file); fixers write FIXED.txt listing the issue ids they saw. */
function defaultReply(req: ModelRequest): Reply {
  const r = role(req);
  if (req.afterTool) return { text: "done" };
  if (r === "executor") {
    const id = executorId(req);
    return { tool: "Write", input: { file_path: join(req.cwd, `${id}.txt`), content: `work of ${id}\n` } };
  }
  if (r === "fixer") {
    const ids = [...req.prompt.matchAll(/^- (a\d+-[\w.-]+)/gm)].map((m) => m[1]).join(",");
    return { tool: "Write", input: { file_path: join(req.cwd, "FIXED.txt"), content: `${ids}\n` } };
  }
  if (r === "reviewer") return PASS;
  return { text: "?" };
}

export interface SwarmFixture {
  sb: Sandbox;
  repo: string;
  model: ScriptedModel;
  env: NodeJS.ProcessEnv;
  /** Replies for this scenario; undefined falls back to defaultReply. */
  scenario: Scenario;
  /** Hold executors' first requests until 3 are in flight (parallel executors then overlap observably). */
  holdExecutors: boolean;
  run(name: string, args?: string[]): Promise<RunResult>;
}

/** Register before/after hooks in the calling describe and return the fixture they fill in. */
export function useSwarmFixture(): SwarmFixture {
  const executorsMeet = barrier(3, 20_000);
  const f = {
    scenario: () => undefined,
    holdExecutors: false,
    run: (name: string, args: string[] = []) =>
      braid(f.sb, f.repo, ["swarm", "run", name, `task for ${name}`, "--json", ...args], {
        env: f.env,
        timeoutMs: 120_000,
      }),
  } as unknown as SwarmFixture;
  before(async () => {
    f.sb = makeSandbox();
    f.repo = makeRepo(f.sb, "app");
    f.model = await startModel((req) => f.scenario(req) ?? defaultReply(req), {
      hold: (req) => (f.holdExecutors && role(req) === "executor" && !req.afterTool ? executorsMeet() : undefined),
    });
    f.env = claudeStubEnv(f.sb, f.model);
  });
  after(async () => {
    await f.model.close();
    f.sb.cleanup();
  });
  return f;
}
