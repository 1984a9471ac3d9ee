/**
 * What a host has and lacks for braid sessions: git, tmux, node ≥ 20, braid of this version (in the host's
 * braid dir), the agent program, bubblewrap. One ssh round trip running a fixed probe script (no user text
 * in it: the dir and agent name arrive as positional parameters).
 */
import { BraidError } from "../infra/errors.js";
import type { HostEntry } from "./registry.js";
import { runOnHost, sshBroken, sshFailure } from "./ssh.js";

const PROBE = [
  'd="$1"; a="$2"',
  'case "$d" in /*) ;; *) d="$HOME/$d" ;; esac',
  'echo "dir=$d"',
  'command -v git >/dev/null 2>&1 && echo "git=$(git --version 2>/dev/null)"',
  'command -v tmux >/dev/null 2>&1 && echo "tmux=$(tmux -V 2>/dev/null)"',
  'command -v node >/dev/null 2>&1 && echo "node=$(node --version 2>/dev/null)"',
  'command -v npm >/dev/null 2>&1 && echo "npm=$(npm --version 2>/dev/null)"',
  'command -v bwrap >/dev/null 2>&1 && echo "bwrap=$(bwrap --version 2>/dev/null)"',
  '[ -x "$d/bin/braid" ] && echo "braid=$("$d/bin/braid" --version 2>/dev/null)"',
  '[ -n "$a" ] && command -v "$a" >/dev/null 2>&1 && echo "agent=$(command -v "$a")"',
  "exit 0",
].join("\n");

export interface CheckItem {
  name: "git" | "tmux" | "node" | "braid" | "agent" | "bubblewrap";
  ok: boolean;
  /** Needed for any session (git, tmux, node, braid); the others only for some. */
  required: boolean;
  found: string | null;
  fix: string | null;
}

export interface HostCheck {
  host: string;
  target: string;
  /** braid's dir on the host, absolute. */
  dir: string;
  ok: boolean;
  items: CheckItem[];
}

/** Probe the host. Throws a one-line BraidError when ssh itself cannot reach or log in. */
export async function checkHost(host: HostEntry, localVersion: string, agent = "claude"): Promise<HostCheck> {
  const r = await runOnHost(host, ["sh", "-c", PROBE, "sh", host.dir, agent], { timeoutMs: 30_000 });
  if (sshBroken(r)) throw sshFailure(host, r.stderr);
  const kv = new Map<string, string>();
  for (const line of r.stdout.split("\n")) {
    const i = line.indexOf("=");
    if (i > 0) kv.set(line.slice(0, i), line.slice(i + 1).trim());
  }
  const dir = kv.get("dir") ?? host.dir;
  const nodeV = kv.get("node") ?? null;
  const nodeMajor = nodeV ? Number(/^v(\d+)/.exec(nodeV)?.[1] ?? 0) : 0;
  const braidV = kv.get("braid") ?? null;
  const items: CheckItem[] = [
    item("git", true, kv.get("git") ?? null, !!kv.get("git"), "install git on the host (apt-get install git)"),
    item("tmux", true, kv.get("tmux") ?? null, !!kv.get("tmux"), "install tmux on the host (apt-get install tmux)"),
    item(
      "node",
      true,
      nodeV,
      nodeMajor >= 20,
      nodeV ? `node ${nodeV} is too old: install node 20 or newer on the host` : "install node 20 or newer on the host",
    ),
    item(
      "braid",
      true,
      braidV,
      braidV === localVersion,
      braidV
        ? `the host has braid ${braidV}, this is ${localVersion}: braid host add ${host.name} ${host.target} --install`
        : `put braid there: braid host add ${host.name} ${host.target} --install`,
    ),
    item("agent", false, kv.get("agent") ?? null, !!kv.get("agent"), `install ${agent} on the host (on its PATH)`),
    item(
      "bubblewrap",
      false,
      kv.get("bwrap") ?? null,
      !!kv.get("bwrap"),
      "install bubblewrap on the host for --sandbox",
    ),
  ];
  return { host: host.name, target: host.target, dir, ok: items.every((i) => i.ok || !i.required), items };
}

function item(name: CheckItem["name"], required: boolean, found: string | null, ok: boolean, fix: string): CheckItem {
  return { name, ok, required, found, fix: ok ? null : fix };
}

/** The first required thing the host lacks, as a one-line error (null: nothing). */
export function checkProblem(c: HostCheck, skip: ReadonlyArray<CheckItem["name"]> = []): BraidError | null {
  const bad = c.items.find((i) => i.required && !i.ok && !skip.includes(i.name));
  if (!bad) return null;
  const what = bad.found ? `${bad.name} ${bad.found}` : `no ${bad.name}`;
  return new BraidError(`host ${c.host} has ${what}`, bad.fix ?? undefined);
}
