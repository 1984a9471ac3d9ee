/**
 * `braid rm` of a session on a host, with the same safety as a local one: the agent is stopped first (it
 * could commit between check and removal), its branch and uncommitted work are fetched here and checked
 * against the base; unmerged or uncommitted work refuses without --force, and --force saves it all to
 * `refs/braid/backup/<name>/<time>` here before the host's braid removes the worktree and branch there.
 */
import { resolveCommit } from "../git/refs.js";
import { Repo } from "../git/repo.js";
import { remoteRefs } from "../hosts/mirror.js";
import { getHost } from "../hosts/registry.js";
import { callHost, HostUnreachable, remoteOf } from "../hosts/remote.js";
import { BraidError } from "../infra/errors.js";
import type { ProjectContext } from "../project/context.js";
import { fetchRemoteSessions } from "./remote.js";
import { backupRefName, deleteRefAt, isAncestor } from "./remove.js";

export interface RemoteRemoveResult {
  removed: boolean;
  host: string;
  backupRef: string | null;
  branchDeleted: boolean;
}

function needsHost(host: string): BraidError {
  return new BraidError(
    `host ${host} is not answering: rm needs it to check and remove the session's work there`,
    `run braid rm again when it answers (braid host check ${host})`,
  );
}

export async function removeRemoteSession(
  ctx: ProjectContext,
  name: string,
  opts: { force?: boolean; keepBranch?: boolean } = {},
): Promise<RemoteRemoveResult> {
  const rec = ctx.store.require(name);
  const remote = remoteOf(rec);
  if (!remote) throw new BraidError(`session "${name}" is not on a host`, `braid rm ${name}`);
  const host = getHost(remote.host);
  const project = ctx.project.slug;
  const cwd = ctx.project.mainWorktree;
  try {
    await callHost(host, "stop", { project, name });
  } catch (e) {
    if (e instanceof HostUnreachable) throw needsHost(host.name);
    if (!/no project|not found|unknown session|no session/i.test((e as Error).message)) throw e;
  }
  const fetched = await fetchRemoteSessions(ctx, [name]);
  if (fetched.unreachable.length) throw needsHost(host.name);
  const refs = remoteRefs(host.name, name);
  const [tip, wip, base] = await Promise.all([
    resolveCommit(cwd, refs.branch),
    resolveCommit(cwd, refs.wip),
    resolveCommit(cwd, rec.baseRef),
  ]);
  const repo = new Repo(cwd);
  const dirty = tip && wip ? await repo.diffNames(tip, wip) : [];
  const unmerged =
    tip && !(await isAncestor(cwd, tip, base)) ? await repo.countCommits(tip, [base ?? rec.baseCommit]) : 0;
  const lose = [
    unmerged ? `${unmerged} unmerged commit${unmerged === 1 ? "" : "s"}` : "",
    dirty.length ? `${dirty.length} uncommitted file${dirty.length === 1 ? "" : "s"}` : "",
  ].filter(Boolean);
  if (lose.length && !opts.force)
    throw new BraidError(
      `session "${name}" has ${lose.join(" and ")} on host ${host.name}`,
      `merge it first (braid merge ${name}), or braid rm ${name} --force (saves it all to refs/braid/backup/${name}/…)`,
    );
  let backupRef: string | null = null;
  const keep = dirty.length && wip ? wip : tip;
  if (lose.length && keep) {
    backupRef = backupRefName(name);
    await repo.createRef(backupRef, keep);
  }
  try {
    await callHost(host, "rm", { project, name });
  } catch (e) {
    if (e instanceof HostUnreachable) throw needsHost(host.name);
    throw e;
  }
  // the local copies: fetched refs always; the local branch when braid made it and it holds nothing unsaved
  for (const ref of [refs.branch, refs.wip]) await repo.deleteRef(ref, { evenOnError: true });
  let branchDeleted = false;
  const localTip = await resolveCommit(cwd, `refs/heads/${rec.branch}`);
  if (
    !opts.keepBranch &&
    rec.createdBranch &&
    localTip &&
    (localTip === tip || (await isAncestor(cwd, localTip, base)))
  )
    branchDeleted = await deleteRefAt(cwd, `refs/heads/${rec.branch}`, localTip);
  await ctx.store.update((d) => {
    d.sessions = d.sessions.filter((s) => s.name !== name);
  });
  return { removed: true, host: host.name, backupRef, branchDeleted };
}
