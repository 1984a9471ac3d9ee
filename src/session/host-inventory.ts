/**
 * What a host keeps for braid, across every project there (`braid _host inventory`: one round trip): the
 * sessions of each project with their state now, their worktrees and branches. `host rm` refuses while some
 * run; doctor finds mirrors no session uses and worktrees this repository no longer knows of.
 */
import { type HostEntry, listHosts } from "../hosts/registry.js";
import { callHost, remoteOf } from "../hosts/remote.js";
import { BraidError } from "../infra/errors.js";
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
  /** The 1-minute load average and the CPUs there. */
  load: number;
  cpus: number;
}

export function hostInventory(host: HostEntry, timeoutMs = 60_000): Promise<HostInventory> {
  return callHost<HostInventory>(host, "inventory", {}, timeoutMs);
}

/** `--host auto` / `host = "auto"`. */
export const AUTO_HOST = "auto";

/**
 * The host for `--host auto`: of the hosts that answer, the one with the most free slots (`max-sessions`
 * minus the sessions running or queued there, in any project), then the lowest load per CPU. All hosts are
 * asked at once; a one-line error when none answers or every one is full.
 */
export async function pickHost(): Promise<HostEntry> {
  const hosts = listHosts();
  if (hosts.length === 0)
    throw new BraidError("--host auto: there are no hosts", "add one with braid host add NAME SSH_TARGET");
  const seen = await Promise.all(
    hosts.map(async (host) => {
      try {
        const inv = await hostInventory(host, 30_000);
        const used = inv.projects.reduce((n, p) => n + p.sessions.filter((s) => s.running).length, 0);
        return { host, used, free: host.maxSessions - used, loadPerCpu: inv.load / Math.max(1, inv.cpus) };
      } catch {
        return null;
      }
    }),
  );
  const answering = seen.filter((s) => s !== null);
  if (answering.length === 0)
    throw new BraidError(
      `--host auto: no host answers (${hosts.map((h) => h.name).join(", ")})`,
      "check them with braid host check, or pick one with --host NAME",
    );
  const open = answering.filter((s) => s.free > 0);
  if (open.length === 0)
    throw new BraidError(
      `--host auto: every host that answers is full (${answering.map((s) => `${s.host.name} ${s.used}/${s.host.maxSessions}`).join(", ")})`,
      "stop a session there, or allow more: braid host add NAME SSH_TARGET --max-sessions N",
    );
  open.sort((a, b) => b.free - a.free || a.loadPerCpu - b.loadPerCpu || a.host.name.localeCompare(b.host.name));
  return (open[0] as (typeof open)[number]).host;
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
