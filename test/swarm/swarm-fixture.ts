/**
 * Shared set-up of the swarm tests: a sandbox repo, the scripted model (planner/executor/reviewer/fixer
 * replies chosen by prompt), and `run` for one `braid swarm run` per scenario.
 */
import { join } from "node:path";
import { after, before } from "node:test";
import { braidClaudeEnv } from "../helpers/claude.js";
import { braid, makeRepo, makeSandbox, type RunResult, type Sandbox } from "../helpers/env.js";
import {
  afterTool,
  barrier,
  type ModelStub,
  promptOf,
  type StubRequest,
  startModelStub,
  type Turn,
} from "../helpers/model-stub.js";

export type Scenario = (req: StubRequest) => Turn | undefined;

export const role = (r: StubRequest) =>
  /^\[braid swarm (planner|executor|reviewer|fixer)/.exec(promptOf(r))?.[1] ?? "other";
export const executorId = (r: StubRequest) => /^\[braid swarm executor ([\w-]+)\]/.exec(promptOf(r))?.[1] ?? "";

export const subtask = (id: string, file: string, depends_on: string[] = []) => ({
  id,
  title: `write ${file}`,
  instructions: `create ${file}`,
  owns: [file],
  depends_on,
});
export const PASS = { structured: { verdict: "PASS", summary: "fine", issues: [] } };

/** Executors write `<id>.txt` (their own file); fixers write FIXED.txt listing the issue ids they saw. */
function defaultReply(req: StubRequest): Turn {
  const r = role(req);
  if (afterTool(req)) return { text: "done" };
  const cwd = req.cwd ?? "";
  if (r === "executor") {
    const id = executorId(req);
    return { toolUse: { name: "Write", input: { file_path: join(cwd, `${id}.txt`), content: `work of ${id}\n` } } };
  }
  if (r === "fixer") {
    const ids = [...promptOf(req).matchAll(/^- (a\d+-[\w.-]+)/gm)].map((m) => m[1]).join(",");
    return { toolUse: { name: "Write", input: { file_path: join(cwd, "FIXED.txt"), content: `${ids}\n` } } };
  }
  if (r === "reviewer") return PASS;
  return { text: "?" };
}

export interface SwarmFixture {
  sb: Sandbox;
  repo: string;
  model: ModelStub;
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
    f.model = await startModelStub({
      responder: (req) => {
        const turn = f.scenario(req) ?? defaultReply(req);
        return f.holdExecutors && role(req) === "executor" && !afterTool(req)
          ? { ...turn, holdUntil: executorsMeet() }
          : turn;
      },
    });
    f.env = braidClaudeEnv(f.sb, f.model.url);
  });
  after(async () => {
    await f.model.stop();
    f.sb.cleanup();
  });
  return f;
}
