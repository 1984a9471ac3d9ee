/**
 * `copy_mode = "overlay"`: each `copy` dir of a sandboxed session is an overlayfs — the main worktree's dir as
 * the read-only lower layer, a per-session upper and work dir under the state dir — mounted at the (empty) dir
 * of the same name in the session's worktree. Nothing is copied, and writes never reach the original.
 *
 * bubblewrap 0.8 (Debian 12) has no --overlay options, so the mount is made by `mount -t overlay` in a user +
 * mount namespace of its own (`unshare -Urm`), and bubblewrap starts inside that namespace: its `--ro-bind / /`
 * and `--bind <worktree>` carry the overlay along. The namespace dies with its last process, so a killed agent
 * leaves no mount behind; only the upper dirs stay, removed by `rm`, `clean` and `doctor --fix`.
 */
import { existsSync, lstatSync, mkdirSync, readdirSync } from "node:fs";
import { join, normalize } from "node:path";
import { BraidError } from "../infra/errors.js";

export interface OverlayDir {
  /** Path inside the repository (`node_modules`). */
  rel: string;
  lower: string;
  upper: string;
  work: string;
  /** The mount point in the session's worktree. */
  target: string;
}

/** The `copy` entries as relative paths without trailing slashes (bootstrap and overlays agree on them). */
export function copyPaths(copy: readonly string[]): string[] {
  return [...new Set(copy.map((p) => normalize(p).replace(/\/+$/, "")))];
}

/** Where a session's overlay layers live (under the session's sandbox dir). */
export function overlayRoot(sessionSandboxDir: string): string {
  return join(sessionSandboxDir, "overlay");
}

function isEmptyDir(p: string): boolean {
  try {
    return lstatSync(p).isDirectory() && readdirSync(p).length === 0;
  } catch {
    return false;
  }
}

/**
 * The overlays a session gets: `copy` dirs that are directories in the main worktree and an empty dir (the
 * mount point bootstrap made) in the session's worktree. A dir that holds a real copy is used as it is.
 */
export function overlayDirs(main: string, worktree: string, root: string, copy: readonly string[]): OverlayDir[] {
  const out: OverlayDir[] = [];
  for (const rel of copyPaths(copy)) {
    if (rel.startsWith("..") || rel.startsWith("/")) continue;
    const lower = join(main, rel);
    const target = join(worktree, rel);
    if (!existsSync(lower) || !lstatSync(lower).isDirectory() || !isEmptyDir(target)) continue;
    const layer = join(root, encodeURIComponent(rel));
    out.push({ rel, lower, upper: join(layer, "upper"), work: join(layer, "work"), target });
  }
  return out;
}

/** overlayfs takes its layers in one option string: `,` and `:` there cannot be escaped reliably. */
function checkPath(p: string): void {
  if (/[,:\\\n]/.test(p))
    throw new BraidError(
      `cannot overlay ${p}: overlayfs paths may not contain ",", ":" or "\\"`,
      'set copy_mode = "copy", or move the repository to a plain path',
    );
}

/** Make the upper and work dirs (kept across runs: the session's own writes). */
export function prepareOverlays(dirs: readonly OverlayDir[]): void {
  for (const d of dirs) {
    for (const p of [d.lower, d.upper, d.work, d.target]) checkPath(p);
    mkdirSync(d.upper, { recursive: true, mode: 0o700 });
    mkdirSync(d.work, { recursive: true, mode: 0o700 });
  }
}

/** Mounts each overlay (arguments come in fours), then becomes the program named by the rest. */
const MOUNT_SCRIPT = `n=$1; shift
while [ "$n" -gt 0 ]; do
  mount -t overlay braid-overlay -o "lowerdir=$1,upperdir=$2,workdir=$3,userxattr" "$4" || { echo "braid: cannot mount the overlay at $4" >&2; exit 125; }
  shift 4; n=$((n - 1))
done
exec "$@"`;

/** `argv` run in a namespace where `dirs` are mounted (no shell string holds a path: they are arguments). */
export function overlayArgv(dirs: readonly OverlayDir[], argv: string[]): string[] {
  if (dirs.length === 0) return argv;
  const layers = dirs.flatMap((d) => [d.lower, d.upper, d.work, d.target]);
  return ["unshare", "-Urm", "--", "sh", "-c", MOUNT_SCRIPT, "braid-overlay", String(dirs.length), ...layers, ...argv];
}
