import { dirname, join } from "node:path";
import { BraidError } from "../infra/errors.js";
import { withLock, writeFileAtomic } from "../infra/fsutil.js";
import { readStore } from "../infra/json.js";
import { globalConfigPath } from "../project/paths.js";

export interface HostEntry {
  name: string;
  /** Anything ssh accepts: an alias from the ssh config, user@host. */
  target: string;
  /** braid's directory on the host (relative paths are under the host user's home). */
  dir: string;
  /** Environment for agents on this host (sent over the ssh channel, never argv). */
  env: Record<string, string>;
  maxSessions: number;
  addedAt: string;
}

interface HostsFile {
  version: 1;
  hosts: Record<string, HostEntry>;
}

export const DEFAULT_HOST_DIR = ".braid";
export const DEFAULT_MAX_SESSIONS = 4;
const NAME_RE = /^[A-Za-z0-9][A-Za-z0-9_.-]*$/;

export function hostsFilePath(): string {
  return join(dirname(globalConfigPath()), "hosts.json");
}

function read(): HostsFile {
  return readStore<HostsFile>(
    hostsFilePath(),
    "hosts",
    () => ({ version: 1, hosts: {} }),
    new BraidError(`${hostsFilePath()} is not a braid hosts file`, "fix or remove it, then `braid host add` again"),
  );
}

export function listHosts(): HostEntry[] {
  return Object.values(read().hosts).sort((a, b) => a.name.localeCompare(b.name));
}

export function getHost(name: string): HostEntry {
  const h = read().hosts[name];
  if (!h) {
    const known = Object.keys(read().hosts);
    throw new BraidError(
      `unknown host "${name}"`,
      known.length ? `use one of: ${known.join(", ")} (braid host ls)` : "add it with `braid host add NAME SSH_TARGET`",
    );
  }
  return h;
}

export function validateHostName(name: string): void {
  if (!NAME_RE.test(name))
    throw new BraidError(`bad host name "${name}"`, "use letters, digits, '.', '_' and '-' (e.g. buildbox)");
  // `--host auto` picks a host: no host may be called that
  if (name === "auto") throw new BraidError('"auto" is not a host name (--host auto picks one)', "pick another name");
}

export async function saveHost(entry: HostEntry, replace: boolean): Promise<void> {
  validateHostName(entry.name);
  await withLock(hostsFilePath(), () => {
    const f = read();
    if (f.hosts[entry.name] && !replace)
      throw new BraidError(`host "${entry.name}" already exists`, `remove it first: braid host rm ${entry.name}`);
    f.hosts[entry.name] = entry;
    writeFileAtomic(hostsFilePath(), `${JSON.stringify(f, null, 2)}\n`);
  });
}

export async function removeHost(name: string): Promise<boolean> {
  return withLock(hostsFilePath(), () => {
    const f = read();
    if (!f.hosts[name]) return false;
    delete f.hosts[name];
    writeFileAtomic(hostsFilePath(), `${JSON.stringify(f, null, 2)}\n`);
    return true;
  });
}

/** `K=V` pairs from `--env`. */
export function parseEnvPairs(pairs: readonly string[]): Record<string, string> {
  const env: Record<string, string> = {};
  for (const p of pairs) {
    const i = p.indexOf("=");
    const k = i > 0 ? p.slice(0, i) : "";
    if (!/^[A-Za-z_][A-Za-z0-9_]*$/.test(k))
      throw new BraidError(`bad --env "${p.split("=")[0]}=…"`, "pass NAME=value with a variable name before '='");
    env[k] = p.slice(i + 1);
  }
  return env;
}
