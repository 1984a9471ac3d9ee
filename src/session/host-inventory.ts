/**
 * What a host keeps for braid, across every project there (`braid _host inventory`: one round trip): the
 * sessions of each project with their state now, their worktrees and branches. `host rm` refuses while some
 * run; doctor finds mirrors no session uses and worktrees this repository no longer knows of.
 */
import type { HostEntry } from "../hosts/registry.js";
import { callHost, remoteOf } from "../hosts/remote.js";
import type { ProjectContext } from "../project/context.js";
import { isActive } from "../project/state.js";

export interface HostSession {
  name: string;
  state: string;
  running: boolean;
  branch: string;
  path: string;
}

export interface HostInventory {
  projects: Array<{ project: string; sessions: HostSession[] }>;
}

export function hostInventory(host: HostEntry): Promise<HostInventory> {
  return callHost<HostInventory>(host, "inventory", {}, 60_000);
}

/**
 * Sessions running on the host, as `project/name`: what the host says (every project there) or, when it does
 * not answer, what this repository recorded as running there.
 */
export async function runningOnHost(
  host: HostEntry,
  ctx: ProjectContext | null,
): Promise<{ running: string[]; answered: boolean }> {
  try {
    const inv = await hostInventory(host);
    return {
      running: inv.projects.flatMap((p) => p.sessions.filter((s) => s.running).map((s) => `${p.project}/${s.name}`)),
      answered: true,
    };
  } catch {
    const recorded = (ctx?.store.sessions() ?? []).filter((s) => remoteOf(s)?.host === host.name && isActive(s.status));
    return { running: recorded.map((s) => `${ctx?.project.slug}/${s.name}`), answered: false };
  }
}
