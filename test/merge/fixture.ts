/** Shared setup for merge-train and clean tests: a repo with sessions made through the real API. */
import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { after, before } from "node:test";
import { loadContext } from "../../src/project/context.js";
import type { SessionRecord } from "../../src/project/state.js";
import { createWorktree } from "../../src/worktree/create.js";
import { gitIn, makeRepo, type Sandbox } from "../helpers/env.js";
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

/** Replace line `n` of shared.txt with `text` and commit. */
export function editLine(sb: Sandbox, dir: string, n: number, text: string): string {
  const content = lines(30).replace(`line ${n}\n`, `${text}\n`);
  writeFileSync(join(dir, "shared.txt"), content);
  gitIn(sb, dir, "commit", "-q", "-am", `edit line ${n}`);
  return gitIn(sb, dir, "rev-parse", "HEAD");
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
