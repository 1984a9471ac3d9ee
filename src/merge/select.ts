/** Which sessions a merge train takes, and the checks that make a session unmergeable. */
import { existsSync } from "node:fs";
import { branchTips, currentBranch, resolveCommit } from "../git/refs.js";
import { Repo } from "../git/repo.js";
import { listWorktrees } from "../git/worktrees.js";
import { remoteRefs } from "../hosts/mirror.js";
import { remoteOf } from "../hosts/remote.js";
import type { SessionRecord } from "../project/state.js";
import { statusPaths } from "../radar/snapshot.js";

export interface Candidate {
  session: SessionRecord;
  tip: string;
  /** Has commits the base does not (false: nothing to merge). */
  ahead: boolean;
}

/** What the checks ask git about every session, in three calls for all of them instead of several each. */
export interface RepoFacts {
  /** Local branch → tip. */
  tips: Map<string, string>;
  /** Local branches whose tip the base already contains. */
  merged: Set<string>;
  /** Worktree path → its checked-out branch (null: detached). */
  checkedOut: Map<string, string | null>;
}

export async function repoFacts(cwd: string, baseCommit: string): Promise<RepoFacts> {
  const [tips, merged, worktrees] = await Promise.all([
    branchTips(cwd),
    new Repo(cwd).branchesMergedInto(baseCommit),
    listWorktrees(cwd),
  ]);
  return {
    tips: tips.heads,
    merged: new Set(merged.split("\n").filter(Boolean)),
    checkedOut: new Map(worktrees.map((w) => [w.path, w.branch])),
  };
}

export interface Refusal {
  name: string;
  reason: string;
  /** What to do about it. */
  fix: string;
  /** Set when the refusal is uncommitted work: how many files (`--commit-wip` commits them). */
  uncommitted?: number;
}

/** Sessions the train takes when none are named: done or idle ones. */
export const MERGEABLE_STATES = new Set(["done", "idle"]);

/** Check one session; returns a candidate or why it cannot be merged. */
/** `cwd`: the main worktree (a remote session's fetched refs are read there). */
export async function checkSession(
  s: SessionRecord,
  baseRef: string,
  facts: RepoFacts,
  cwd: string,
): Promise<Candidate | Refusal> {
  if (s.type === "research") {
    return { name: s.name, reason: "is a research session: it has nothing to merge", fix: "read its findings instead" };
  }
  if (s.baseRef !== baseRef) {
    return { name: s.name, reason: `merges into ${s.baseRef}, not ${baseRef}`, fix: `merge it in a separate run` };
  }
  const tip = facts.tips.get(s.branch);
  if (!tip) {
    return {
      name: s.name,
      reason: `its branch ${s.branch} no longer exists (deleted by hand?)`,
      fix: `recreate it (git branch ${s.branch} <commit>) or remove the session with \`braid rm ${s.name}\``,
    };
  }
  const remote = remoteOf(s);
  if (remote) {
    // its worktree is on the host: the snapshot fetched with its branch says whether work is uncommitted
    const refs = remoteRefs(remote.host, s.name);
    const [head, wip] = await Promise.all([resolveCommit(cwd, refs.branch), resolveCommit(cwd, refs.wip)]);
    const dirty = head && wip ? await new Repo(cwd).diffNames(head, wip) : [];
    if (dirty.length)
      return {
        name: s.name,
        reason: `has uncommitted work on host ${remote.host} (${dirty.length} file${dirty.length === 1 ? "" : "s"})`,
        fix: `ask the agent to commit it (braid send ${s.name} "commit your work"), then merge again`,
        uncommitted: dirty.length,
      };
  } else if (existsSync(s.path)) {
    // A path git lists differently (a symlink on the way) is asked directly.
    const onBranch = facts.checkedOut.has(s.path) ? facts.checkedOut.get(s.path) : await currentBranch(s.path);
    if (onBranch === null) {
      return {
        name: s.name,
        reason: `its worktree ${s.path} is on a detached HEAD`,
        fix: `check out ${s.branch} there (commit or branch the detached work first)`,
      };
    }
    if (onBranch !== s.branch) {
      return {
        name: s.name,
        reason: `its worktree has ${onBranch} checked out, not ${s.branch}`,
        fix: `check out ${s.branch} there`,
      };
    }
    const dirty = await statusPaths(s.path);
    if (dirty.length) {
      return {
        name: s.name,
        reason: `has uncommitted work (${dirty.length} file${dirty.length === 1 ? "" : "s"})`,
        fix: `commit it in ${s.path}, ask the agent (braid send ${s.name} "commit your work"), or pass --commit-wip`,
        uncommitted: dirty.length,
      };
    }
  }
  return { session: s, tip, ahead: !facts.merged.has(s.branch) };
}

export function isRefusal(x: Candidate | Refusal): x is Refusal {
  return "reason" in x;
}
