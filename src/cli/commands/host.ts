import type { Command } from "commander";
import { checkHost, checkProblem, type HostCheck } from "../../hosts/check.js";
import { installOnHost } from "../../hosts/install.js";
import {
  DEFAULT_HOST_DIR,
  DEFAULT_MAX_SESSIONS,
  getHost,
  type HostEntry,
  listHosts,
  parseEnvPairs,
  removeHost,
  saveHost,
  validateHostName,
} from "../../hosts/registry.js";
import { BraidError } from "../../infra/errors.js";
import { loadContext } from "../../project/context.js";
import { runningOnHost } from "../../session/host-inventory.js";
import { act } from "../act.js";
import { print, printJson, printNotice, printWarning, table } from "../output.js";
import { version } from "../version.js";

interface AddFlags {
  env?: string[];
  dir?: string;
  maxSessions?: number;
  install?: boolean;
  json?: boolean;
}

function maxSessions(v: string): number {
  const n = Number(v);
  if (!Number.isInteger(n) || n < 1 || n > 256)
    throw new BraidError(
      `--max-sessions must be a whole number from 1 to 256 (got "${v}")`,
      "pass e.g. --max-sessions 8",
    );
  return n;
}

/** What `host ls --json` shows of a host: env names only, never their values. */
function publicHost(h: HostEntry) {
  return {
    name: h.name,
    target: h.target,
    dir: h.dir,
    maxSessions: h.maxSessions,
    env: Object.keys(h.env),
    addedAt: h.addedAt,
  };
}

function checkLines(c: HostCheck): string {
  return [
    `${c.host} (${c.target}) ${c.ok ? "ready" : "not ready"}  dir ${c.dir}`,
    ...c.items.map(
      (i) =>
        `  ${i.ok ? "ok  " : i.required ? "MISS" : "--  "} ${i.name.padEnd(10)} ${i.found ?? "not found"}${i.fix ? `  → ${i.fix}` : ""}`,
    ),
  ].join("\n");
}

export function registerHost(program: Command): void {
  const host = program.command("host").description("machines braid runs sessions on over SSH: add, ls, check, rm");

  host
    .command("add <name> <ssh-target>")
    .description("record a host (checked first: git, tmux, node ≥ 20, braid of this version); re-adding updates it")
    .option("--env <K=V...>", "environment for agents on this host (sent over ssh, never on a command line)")
    .option("--dir <path>", `braid's directory on the host, relative to its home (default ${DEFAULT_HOST_DIR})`)
    .option("--max-sessions <n>", `sessions this host runs at once (default ${DEFAULT_MAX_SESSIONS})`, maxSessions)
    .option("--install", "put this braid version on the host from the local package first")
    .option("--json", "print the host and its check as JSON")
    .action(
      act(async (name: string, target: string, opts: AddFlags) => {
        validateHostName(name);
        if (!target || target.startsWith("-"))
          throw new BraidError(
            `bad ssh target "${target}"`,
            "pass an ssh config alias or user@host (ports go in the ssh config)",
          );
        const entry: HostEntry = {
          name,
          target,
          dir: opts.dir ?? DEFAULT_HOST_DIR,
          env: parseEnvPairs(opts.env ?? []),
          maxSessions: opts.maxSessions ?? DEFAULT_MAX_SESSIONS,
          addedAt: new Date().toISOString(),
        };
        let installed: string | null = null;
        if (opts.install) {
          if (!opts.json) printNotice(`installing braid ${version()} on ${name} …`);
          installed = (await installOnHost(entry)).version;
        }
        const c = await checkHost(entry, version());
        const problem = checkProblem(c);
        if (problem) throw problem;
        await saveHost(entry, true);
        if (opts.json) printJson({ host: publicHost(entry), installed, check: c });
        else
          print(`added host ${name} (${target})${installed ? `, braid ${installed} installed` : ""}\n${checkLines(c)}`);
        return 0;
      }),
    );

  host
    .command("ls")
    .description("list the hosts")
    .option("--json", "machine-readable output")
    .action(
      act(async (opts: { json?: boolean }) => {
        const hosts = listHosts();
        if (opts.json) printJson({ hosts: hosts.map(publicHost) });
        else if (hosts.length === 0) print("no hosts: add one with braid host add NAME SSH_TARGET");
        else
          print(
            table(
              ["NAME", "TARGET", "DIR", "MAX", "ENV"],
              hosts.map((h) => [h.name, h.target, h.dir, String(h.maxSessions), Object.keys(h.env).join(",")]),
            ),
          );
        return 0;
      }),
    );

  host
    .command("check [name]")
    .description("what a host has and lacks (every host without a name), with the fix for each")
    .option("--json", "machine-readable output")
    .action(
      act(async (name: string | undefined, opts: { json?: boolean }) => {
        const hosts = name ? [getHost(name)] : listHosts();
        if (hosts.length === 0)
          throw new BraidError("no hosts to check", "add one with braid host add NAME SSH_TARGET");
        const checks: HostCheck[] = [];
        for (const h of hosts) checks.push(await checkHost(h, version()));
        if (opts.json) printJson({ hosts: checks });
        else print(checks.map(checkLines).join("\n"));
        const problem = checks.map((c) => checkProblem(c)).find((p) => p);
        if (problem && !opts.json) throw problem;
        return problem ? 1 : 0;
      }),
    );

  host
    .command("sync")
    .description(
      "bring this project's remote sessions here: branches and uncommitted work into refs/braid/remote*, notes both ways",
    )
    .option("--json", "machine-readable output")
    .action(
      act(async (opts: { json?: boolean }) => {
        const ctx = await loadContext();
        const { fetchRemoteSessions, syncCoord } = await import("../../session/remote.js");
        const r = await fetchRemoteSessions(ctx);
        const coord = await syncCoord(ctx);
        if (opts.json) printJson({ ...r, coord: coord.hosts });
        else {
          for (const c of coord.hosts)
            print(
              `${c.host}: notes ${c.sent.notes} sent, ${c.received.notes} received; learnings ${c.sent.learnings} sent, ${c.received.learnings} received`,
            );
          for (const f of r.fetched)
            print(
              `${f.name} (${f.host}): ${f.branch ?? "no branch yet"}${f.wip ? `, uncommitted work in ${f.wip}` : ""}${f.localBranch === "diverged" ? " — local branch went its own way, kept" : ""}`,
            );
          for (const h of r.unreachable) printWarning(`host ${h} is not answering: its sessions were not synced`);
          if (r.fetched.length === 0 && r.unreachable.length === 0) print("no remote sessions in this project");
        }
        return 0;
      }),
    );

  host
    .command("rm <name>")
    .description("forget a host (its sessions and files on the host stay); refuses while sessions run there")
    .option("--force", "forget it even while sessions run there (they keep running on the host)")
    .option("--json", "machine-readable output")
    .action(
      act(async (name: string, opts: { force?: boolean; json?: boolean }) => {
        const entry = getHost(name);
        if (!opts.force) {
          const ctx = await loadContext().catch(() => null);
          const { running, answered } = await runningOnHost(entry, ctx);
          if (!answered && !running.length && !opts.json)
            printWarning(`host ${name} is not answering: only this repository's records were checked`);
          if (running.length)
            throw new BraidError(
              `host ${name} runs ${running.length} session${running.length === 1 ? "" : "s"}: ${running.join(", ")}`,
              `stop them first (braid stop NAME in their repository), or braid host rm ${name} --force`,
            );
        }
        const removed = await removeHost(name);
        if (opts.json) printJson({ host: name, removed });
        else print(`removed host ${name}`);
        return 0;
      }),
    );
}
