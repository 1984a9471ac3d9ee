/**
 * The remote runner: the run lives on a host, run there by the host's own braid (its runner, hooks, exec
 * wrapper). Every method is one request to that braid over ssh (src/hosts/remote.ts); a look at many runs
 * costs one round trip per host, and a host that does not answer is `unreachable` — nothing recorded.
 * Runs start with `braid start --host` (session/remote.ts), which makes the worktree there too: `launch`
 * here only refuses.
 */
import { getHost, type HostEntry, listHosts } from "../hosts/registry.js";
import { callHost, HostUnreachable, hostBraid, remoteOf } from "../hosts/remote.js";
import { shellQuote, sshOptions } from "../hosts/ssh.js";
import { BraidError } from "../infra/errors.js";
import { isActive, type SessionState } from "../project/state.js";
import type { EndedRun, RunLook, Runner, RunRef } from "./runner.js";

/** What the host's `_host status` says of one session (a subset of a SessionView). */
interface HostView {
  name: string;
  state: SessionState;
  detail: string | null;
  exitCode?: number | null;
  pid?: number | null;
}

function hostOf(run: RunRef): { host: HostEntry; project: string } {
  const rec = run.ctx.store.get(run.name);
  const r = rec ? remoteOf(rec) : null;
  if (!r) throw new BraidError(`session "${run.name}" has no host on record`, `braid rm ${run.name}`);
  return { host: getHost(r.host), project: run.ctx.project.slug };
}

function lookOf(v: HostView | undefined, host: string): RunLook {
  if (!v) return { kind: "ended", end: { status: "lost", exitCode: null, detail: `not on host ${host} any more` } };
  if (isActive(v.state) || v.state === "queued" || v.state === "created")
    return { kind: "running", agentAlive: true, agentPid: null };
  const status = (["done", "failed", "stopped", "lost"] as const).find((s) => s === v.state) ?? "lost";
  const end: EndedRun = { status, exitCode: v.exitCode ?? null, detail: v.detail ?? status };
  return { kind: "ended", end };
}

async function ask<T>(run: RunRef, op: string, extra: Record<string, unknown> = {}): Promise<T> {
  const { host, project } = hostOf(run);
  return callHost<T>(host, op, { project, name: run.name, ...extra });
}

export const remoteRunner: Runner = {
  kind: "remote",
  attachable: true,

  preflight() {},

  async launch() {
    throw new BraidError("a session on a host is started by the host's braid", "braid start NAME TASK --host HOST");
  },

  async look(runs) {
    const out = new Map<string, RunLook>();
    const byHost = new Map<string, RunRef[]>();
    for (const run of runs) {
      const rec = run.ctx.store.get(run.name);
      const h = rec ? remoteOf(rec)?.host : undefined;
      if (!h) continue;
      byHost.set(h, [...(byHost.get(h) ?? []), run]);
    }
    const hosts = new Map(listHosts().map((h) => [h.name, h]));
    await Promise.all(
      [...byHost].map(async ([name, list]) => {
        const host = hosts.get(name);
        const first = list[0] as RunRef;
        try {
          if (!host) throw new HostUnreachable(name, new BraidError(`unknown host ${name}`));
          const r = await callHost<{ sessions: HostView[] }>(
            host,
            "status",
            { project: first.ctx.project.slug, git: false },
            30_000,
          );
          const there = new Map(r.sessions.map((v) => [v.name, v]));
          for (const run of list) out.set(run.name, lookOf(there.get(run.name), name));
        } catch (e) {
          if (!(e instanceof HostUnreachable)) throw e;
          for (const run of list) out.set(run.name, { kind: "unreachable", detail: `host ${name} not answering` });
        }
      }),
    );
    return out;
  },

  async stop(run) {
    await ask(run, "stop");
  },

  async waitGone() {
    // the host's stop waits for its agent to be gone before it answers
  },

  async capture(run, lines) {
    const r = await ask<{ lines: string[] }>(run, "logs", { lines });
    return r.lines.join("\n");
  },

  async sendText(run, text) {
    await ask(run, "send", { text });
  },

  async attach(run) {
    const { host, project } = hostOf(run);
    const rec = run.ctx.store.require(run.name);
    const dir = remoteOf(rec)?.projectDir ?? `${host.dir}/projects/${project}`;
    // the host's braid attaches there, in the project's repository, to its own tmux window
    const remote = ["sh", "-c", 'cd "$1" && exec "$2" attach "$3"', "sh", dir, hostBraid(host), run.name];
    return {
      argv: ["ssh", "-t", ...sshOptions(host.target), host.target, "--", remote.map(shellQuote).join(" ")],
      unsetEnv: [],
      inside: false,
      target: `${host.name}:${run.name}`,
    };
  },

  async relocate() {
    return { found: false, why: "a session on a host is run by the host's braid" };
  },
};
