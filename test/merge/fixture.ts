/** Shared setup for merge-train and clean tests: a repo with sessions made through the real API. */
import { join } from "node:path";
import { after, before } from "node:test";
import { loadContext } from "../../src/project/context.js";
import type { SessionRecord } from "../../src/project/state.js";
import { createWorktree } from "../../src/worktree/create.js";
import { makeRepo, type Sandbox } from "../helpers/env.js";
import { useSandbox } from "../helpers/suite.js";

export const lines = (n: number) => `${Array.from({ length: n }, (_, i) => `line ${i + 1}`).join("\n")}\n`;

export async function repoWithSessions(
  sb: Sandbox,
  repoName: string,
  names: string[],
  opts: { type?: SessionRecord["type"] } = {},
): Promise<{ repo: string; wt: (n: string) => string }> {
  const repo = makeRepo(sb, repoName, { "shared.txt": lines(30), "README.md": "# app\n" });
  const ctx = await loadContext(repo);
  for (const n of names) await createWorktree(ctx, { name: n, type: opts.type });
  return { repo, wt: (n: string) => join(sb.root, `${repoName}-${n}`) };
}

export async function setStatus(repo: string, name: string, status: SessionRecord["status"]): Promise<void> {
  await (await loadContext(repo)).store.patch(name, { status });
}

/**
 * A sandbox for the whole describe block (useSandbox) whose environment is also this process's, because these
 * tests call braid's library code in-process (loadContext reads HOME/XDG) as well as the CLI. Restored afterwards.
 */
export function useSandboxEnv(): Sandbox {
  const sb = useSandbox();
  let prevEnv: NodeJS.ProcessEnv;
  before(() => {
    prevEnv = { ...process.env };
    Object.assign(process.env, sb.env);
  });
  after(() => {
    process.env = prevEnv;
  });
  return sb;
}
