/**
 * Doctor's checks of the hosts (braid host add) for this project, one `_host inventory` round trip each:
 * a host that does not answer (a warning: nothing there can be checked), the project's repository on a host
 * where no session of it runs any more (a stale mirror), and sessions on a host this repository has no
 * record of (orphaned remote worktrees: a start cut off after the host made it, or an `rm` that could not
 * reach the host). `--fix` fetches what they hold into `refs/braid/backup/…` here before the host removes
 * anything, and leaves a running agent alone.
 */

import { Repo } from "../git/repo.js";
import { fetchRefs } from "../hosts/mirror.js";
import { type HostEntry, listHosts } from "../hosts/registry.js";
import { callHost, hostProjectDir, remoteOf } from "../hosts/remote.js";
import { compactStamp } from "../infra/stamp.js";
import type { ProjectContext } from "../project/context.js";
import { type HostInventory, type HostSession, hostInventory } from "../session/host-inventory.js";
import { backupRefName } from "../session/remove.js";

export type HostFindingKind = "host-unreachable" | "stale-mirror" | "orphaned-remote-worktree";

export interface HostProblem {
  kind: HostFindingKind;
  where: string;
  message: string;
  fix: string;
  severity: "error" | "warning" | "info";
  /** Absent: nothing doctor can do (the user must). */
  repair?: () => Promise<void>;
}

export async function findHostProblems(ctx: ProjectContext): Promise<HostProblem[]> {
  const hosts = listHosts();
  if (hosts.length === 0) return [];
  const answers = await Promise.all(
    hosts.map(async (host) => {
      try {
        return { host, inv: await hostInventory(host, 30_000) };
      } catch (e) {
        return { host, error: (e as Error).message };
      }
    }),
  );
  const out: HostProblem[] = [];
  for (const a of answers) {
    if (!a.inv) {
      out.push({
        kind: "host-unreachable",
        where: a.host.name,
        message: `host ${a.host.name} could not be checked: ${a.error}`,
        fix: `check the machine and its sshd, then braid host check ${a.host.name}`,
        severity: "warning",
      });
      continue;
    }
    out.push(...problemsOn(ctx, a.host, a.inv));
  }
  return out;
}

function problemsOn(ctx: ProjectContext, host: HostEntry, inv: HostInventory): HostProblem[] {
  const slug = ctx.project.slug;
  const there = inv.projects.find((p) => p.project === slug);
  if (!there) return [];
  const projectDir = hostProjectDir(host, slug);
  const cwd = ctx.project.mainWorktree;
  const mine = new Set(
    ctx.store
      .sessions()
      .filter((s) => remoteOf(s)?.host === host.name)
      .map((s) => s.name),
  );
  const out: HostProblem[] = [];
  const orphans = there.sessions.filter((s) => !mine.has(s.name));
  for (const s of orphans) out.push(orphanProblem(ctx, host, projectDir, s));
  if (there.sessions.length === 0 && mine.size === 0)
    out.push({
      kind: "stale-mirror",
      where: `${host.name}:${projectDir}`,
      message: `host ${host.name} keeps this project's repository, but no session of it runs there`,
      fix: `remove it on the host (its branches are fetched into refs/braid/backup/host-${host.name}/… here first)`,
      severity: "info",
      repair: async () => {
        await fetchRefs(cwd, host, projectDir, [
          ["refs/heads/*", `refs/braid/backup/host-${host.name}/${compactStamp()}/*`],
        ]);
        await callHost(host, "drop", { project: slug });
      },
    });
  return out;
}

function orphanProblem(ctx: ProjectContext, host: HostEntry, projectDir: string, s: HostSession): HostProblem {
  const where = `${host.name}:${s.path}`;
  if (s.running)
    return {
      kind: "orphaned-remote-worktree",
      where,
      message: `session "${s.name}" runs on host ${host.name} (${s.state}) but this repository has no record of it`,
      fix: `adopt it: braid start ${s.name} TASK --host ${host.name} (a rerun picks up what the host made), or stop it there first`,
      severity: "warning",
    };
  const project = ctx.project.slug;
  return {
    kind: "orphaned-remote-worktree",
    where,
    message: `host ${host.name} keeps session "${s.name}" (${s.state}, branch ${s.branch}) that this repository has no record of`,
    fix: `remove it on the host after fetching its branch and uncommitted work into refs/braid/backup/${s.name}/… here`,
    severity: "warning",
    repair: async () => {
      const snap = await callHost<{
        sessions: Record<string, { branch: string; head: string | null; wip: string | null }>;
      }>(host, "snapshot", { project, name: s.name });
      const got = snap.sessions[s.name];
      const backup = backupRefName(s.name);
      const specs: Array<readonly [string, string]> = [];
      if (got?.head) specs.push([`refs/heads/${got.branch}`, backup]);
      if (got?.wip) specs.push([`refs/braid/snapshot/${s.name}`, `${backup}-wip`]);
      const cwd = ctx.project.mainWorktree;
      await fetchRefs(cwd, host, projectDir, specs);
      // the snapshot is kept only when it holds something the branch does not
      const repo = new Repo(cwd);
      if (got?.head && got.wip && (await repo.diffNames(backup, `${backup}-wip`)).length === 0)
        await repo.deleteRef(`${backup}-wip`);
      await callHost(host, "rm", { project, name: s.name });
    },
  };
}
