/**
 * A session that runs on a host: its registry slot, and the one way braid asks the host's own braid to act
 * (`braid _host <op>` over ssh, the request as JSON on stdin, the answer as JSON on stdout). The host's braid
 * runs the session with the same code as a local one (worktree, hooks, live state, exec wrapper); this side
 * only keeps the record and asks.
 */
import { BraidError } from "../infra/errors.js";
import type { SessionRecord } from "../project/state.js";
import type { HostEntry } from "./registry.js";
import { diskFull, isDiskFull, runOnHost, sshBroken, sshFailure } from "./ssh.js";

export interface RemoteInfo {
  host: string;
  /** The session's worktree and branch on the host. */
  path: string;
  branch: string;
  /** The project's repository on the host (the mirror the base commit is pushed to). */
  projectDir: string;
}

declare module "../project/state.js" {
  interface SessionExt {
    /** Set for a session that runs on a host (braid start --host). */
    remote?: RemoteInfo;
  }
}

export function remoteOf(rec: SessionRecord): RemoteInfo | null {
  const r = rec.ext?.remote;
  return r && typeof r.host === "string" && typeof r.path === "string" && typeof r.projectDir === "string" ? r : null;
}

/** The project's repository on a host, relative to the host user's home unless dir is absolute. */
export function hostProjectDir(host: HostEntry, slug: string): string {
  return `${host.dir.replace(/\/+$/, "")}/projects/${slug}`;
}

/** The host's braid (npm prefix layout under its dir, as `host add --install` made it). */
export function hostBraid(host: HostEntry): string {
  const d = host.dir.replace(/\/+$/, "");
  return `${d}/bin/braid`;
}

/** The host does not answer (ssh could not connect or log in): callers show `unreachable`, remove nothing. */
export class HostUnreachable extends BraidError {
  constructor(
    readonly host: string,
    inner: BraidError,
  ) {
    super(inner.message, inner.fix);
    this.name = "HostUnreachable";
  }
}

/**
 * Ask the host's braid to do `op` with this request; resolves with its JSON answer. A failure the host's
 * braid reported (one line on its stderr) becomes the same one-line error here, prefixed with the host.
 */
export async function callHost<T>(
  host: HostEntry,
  op: string,
  request: Record<string, unknown>,
  timeoutMs = 120_000,
): Promise<T> {
  const r = await runOnHost(host, [hostBraid(host), "_host", op], {
    input: JSON.stringify({ ...request, dir: host.dir }),
    timeoutMs,
  });
  if (sshBroken(r)) throw new HostUnreachable(host.name, sshFailure(host, r.stderr));
  if (r.code === 127 || /not found|No such file/.test(r.stderr.split("\n")[0] ?? "")) {
    if (r.code !== 0)
      throw new BraidError(
        `host ${host.name} has no braid in ${host.dir}`,
        `put it there: braid host add ${host.name} ${host.target} --install`,
      );
  }
  if (r.code !== 0 && isDiskFull(r.stderr)) throw diskFull(host, host.dir);
  if (r.code !== 0) {
    const line = (r.stderr.trim().split("\n").pop() ?? "").replace(/^braid: /, "");
    const [msg, fix] = line.split(" — ");
    throw new BraidError(`on host ${host.name}: ${msg || `braid _host ${op} exited ${r.code}`}`, fix);
  }
  try {
    return JSON.parse(r.stdout) as T;
  } catch {
    throw new BraidError(
      `host ${host.name} answered ${op} with something that is not JSON`,
      `check the host's braid version: braid host check ${host.name}`,
    );
  }
}
