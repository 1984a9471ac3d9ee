/**
 * The project's repository on a host, and the commits that cross: the base commit goes there with
 * `git push` over ssh; a session's branch and a snapshot of its uncommitted work come back with `git fetch`
 * into `refs/braid/remote/<host>/<name>` and `refs/braid/remote-wip/<host>/<name>`. git talks ssh through
 * GIT_SSH_COMMAND with braid's own options (multiplexed, BatchMode, -F).
 */

import { GitError } from "../git/git.js";
import { Repo } from "../git/repo.js";
import { BraidError } from "../infra/errors.js";
import type { HostEntry } from "./registry.js";
import { diskFull, gitSshCommand, isDiskFull, runOnHost, sshBroken, sshFailure } from "./ssh.js";

/** The project's repository on the host: a normal repository whose own checkout stays empty (HEAD unborn). */
const INIT = [
  "set -e",
  'p="$1"',
  'mkdir -p "$p"',
  'cd "$p"',
  // made aside and moved in whole: an init cut off (a full disk) leaves no half repository behind
  "if [ ! -d .git ]; then",
  '  t=".braid-init.$$"',
  "  trap 'rm -rf \"$t\"' EXIT",
  '  git init -q "$t"',
  // never a branch anyone pushes to: pushes to other branches and refs/braid/* are always accepted
  '  git -C "$t" symbolic-ref HEAD refs/heads/braid-host-checkout',
  '  mv "$t/.git" .git',
  "fi",
  // a HEAD or config that is not git's any more (damage on the host): say so, never init over it
  'git rev-parse --git-dir >/dev/null 2>&1 || { echo "braid: damaged repository $p" >&2; exit 3; }',
].join("\n");

/** git's words for a repository it cannot trust (a damaged mirror on the host). */
const DAMAGED = /damaged repository|not a git repository|corrupt|bad object|loose object|unpack failed|bad index/i;

export async function ensureMirror(host: HostEntry, projectDir: string): Promise<void> {
  const r = await runOnHost(host, ["sh", "-c", INIT, "sh", projectDir], { timeoutMs: 60_000 });
  if (sshBroken(r)) throw sshFailure(host, r.stderr);
  if (r.code !== 0 && (isDiskFull(r.stderr) || DAMAGED.test(r.stderr))) throw mirrorProblem(host, projectDir, r.stderr);
  if (r.code !== 0)
    throw new BraidError(
      `cannot prepare ${projectDir} on host ${host.name}: ${r.stderr.trim().split("\n").pop() ?? `exit ${r.code}`}`,
      `check the host's disk and ${host.dir} (braid host check ${host.name}); a broken mirror can be removed, braid makes it again`,
    );
}

/**
 * A full disk or a damaged repository on the host, as one line with its fix. A damaged one is never
 * replaced by braid: sessions there may still have work in it.
 */
function mirrorProblem(host: HostEntry, projectDir: string, text: string): BraidError {
  if (isDiskFull(text)) return diskFull(host, projectDir);
  return new BraidError(
    `the project's repository on host ${host.name} is damaged (${projectDir})`,
    `repair it there (git -C ${projectDir} fsck), or move it aside (mv ${projectDir} ${projectDir}.bad) when braid status shows no session on ${host.name}: the next start makes it anew`,
  );
}

function gitEnv(host: HostEntry): Record<string, string> {
  return { GIT_SSH_COMMAND: gitSshCommand(host.target), GIT_SSH_VARIANT: "ssh" };
}

/** scp-style remote: relative paths are under the host user's home, as for ssh. */
function url(host: HostEntry, projectDir: string): string {
  return `${host.target}:${projectDir}`;
}

/** Push `commit` to `ref` in the project's repository on the host. */
export async function pushCommit(
  cwd: string,
  host: HostEntry,
  projectDir: string,
  commit: string,
  ref: string,
): Promise<void> {
  try {
    await new Repo(cwd, gitEnv(host)).forcePush(url(host, projectDir), commit, ref);
  } catch (e) {
    const why = (e as Error).message;
    const all = e instanceof GitError ? e.stderr : why;
    if (isDiskFull(all) || DAMAGED.test(all)) throw mirrorProblem(host, projectDir, all);
    throw new BraidError(
      `pushing the base commit to host ${host.name} failed: ${why}`,
      `check the host (braid host check ${host.name}), then run the command again`,
    );
  }
}

/** Fetch `refspecs` (src:dst, forced) from the project's repository on the host; missing sources are skipped. */
export async function fetchRefs(
  cwd: string,
  host: HostEntry,
  projectDir: string,
  refspecs: ReadonlyArray<readonly [src: string, dst: string]>,
): Promise<void> {
  if (refspecs.length === 0) return;
  try {
    await new Repo(cwd, gitEnv(host)).fetchForced(url(host, projectDir), refspecs);
  } catch (e) {
    throw new BraidError(
      `fetching from host ${host.name} failed: ${(e as Error).message}`,
      `check the host (braid host check ${host.name}), then run the command again`,
    );
  }
}

/** Where a remote session's branch and its uncommitted-work snapshot land locally. */
export function remoteRefs(host: string, name: string): { branch: string; wip: string } {
  return { branch: `refs/braid/remote/${host}/${name}`, wip: `refs/braid/remote-wip/${host}/${name}` };
}
