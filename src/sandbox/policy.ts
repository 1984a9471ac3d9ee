/**
 * What a sandboxed agent may see and write, as a list of mounts, and the bubblewrap argv that builds it.
 * The whole filesystem is read-only; a private /tmp; then, per session type, the few writable places:
 *   research/review  coordination files (notes, memory), the agent's own state, its live-state dir;
 *   implementation   + its worktree and a private git dir (see git/private-gitdir.ts) that holds its
 *                    commits: the repository's own refs and objects stay read-only, so no command inside
 *                    (`git update-ref refs/heads/main`, `git -C <main> commit`, `git push . HEAD:main`)
 *                    can touch the base, other branches or other worktrees.
 * Pure: no I/O except the existence checks the caller does.
 */

export type MountMode = "ro" | "rw";

export interface Mount {
  path: string;
  mode: MountMode;
  /** Mount this source at `path` (default: `path` itself). */
  source?: string;
}

export interface SandboxPaths {
  type: "implementation" | "research" | "review";
  worktree: string;
  /** Places that must stay visible even when they live under /tmp (hidden by the private /tmp). */
  visible: string[];
  /** Writable for every type: coordination dir, the session's run dir, logs, the agent's state. */
  shared: string[];
  /** Writable for implementation sessions only: package caches and the like. */
  implementationExtra: string[];
  /** Implementation: the private git dir, and the file that points the worktree's `.git` at it. */
  privateGitDir?: string;
  dotGitFile?: string;
}

function under(path: string, dir: string): boolean {
  return path === dir || path.startsWith(`${dir}/`);
}

/** The mounts, in the order bubblewrap must apply them (parents before children, ro before rw). */
export function sandboxMounts(p: SandboxPaths): Mount[] {
  const mounts: Mount[] = [];
  for (const v of p.visible) if (under(v, "/tmp")) mounts.push({ path: v, mode: "ro" });
  const writable = [...p.shared];
  if (p.type === "implementation") {
    writable.push(p.worktree, ...p.implementationExtra);
    if (p.privateGitDir) writable.push(p.privateGitDir);
  }
  for (const w of writable) mounts.push({ path: w, mode: "rw" });
  if (p.type === "implementation" && p.privateGitDir && p.dotGitFile) {
    // Over the worktree's own `.git` file (which points into the repository's common dir).
    mounts.push({ path: `${p.worktree}/.git`, mode: "ro", source: p.dotGitFile });
  }
  const depth = (m: Mount) => m.path.split("/").length;
  // Stable sort: shallower first; at equal paths the later entry (rw, then the .git file) wins.
  return mounts
    .map((m, i) => ({ m, i }))
    .sort((a, b) => depth(a.m) - depth(b.m) || a.i - b.i)
    .map((x) => x.m);
}

/**
 * bubblewrap argv (without the leading `bwrap`) running `argv` inside the mounts. `asUser`: started as root of
 * a user namespace of braid's own (the overlay's), map back to the real user so files and `id` stay the same.
 */
export function bwrapArgs(
  mounts: Mount[],
  cwd: string,
  argv: string[],
  asUser?: { uid: number; gid: number },
): string[] {
  const user =
    asUser && asUser.uid !== 0 ? ["--unshare-user", "--uid", String(asUser.uid), "--gid", String(asUser.gid)] : [];
  const args = [
    ...user,
    "--ro-bind",
    "/",
    "/",
    "--dev",
    "/dev",
    "--proc",
    "/proc",
    "--tmpfs",
    "/tmp",
    // The agent dies with braid's exec wrapper (which stays outside to record the exit and sync the branch).
    "--die-with-parent",
  ];
  for (const m of mounts) args.push(m.mode === "rw" ? "--bind" : "--ro-bind", m.source ?? m.path, m.path);
  args.push("--chdir", cwd, "--", ...argv);
  return args;
}
