/**
 * Can this machine run the sandbox? bubblewrap must be installed and able to create its namespaces
 * (unprivileged user namespaces for a normal user; root needs none). Asked once per process.
 */
import { spawnSync } from "node:child_process";
import { mkdirSync, mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { BraidError } from "../infra/errors.js";

export interface SandboxSupport {
  ok: boolean;
  /** Why not, and the fix: a one-line error for `sandbox = "on"`. */
  problem?: string;
  fix?: string;
}

let cached: SandboxSupport | undefined;

export function sandboxSupport(): SandboxSupport {
  cached ??= probe();
  return cached;
}

function probe(): SandboxSupport {
  if (process.platform !== "linux")
    return { ok: false, problem: `the sandbox needs Linux (this is ${process.platform})`, fix: 'set sandbox = "off"' };
  const r = spawnSync("bwrap", ["--ro-bind", "/", "/", "--dev", "/dev", "--proc", "/proc", "--", "true"], {
    encoding: "utf8",
    timeout: 10_000,
  });
  if ((r.error as NodeJS.ErrnoException | undefined)?.code === "ENOENT")
    return {
      ok: false,
      problem: "bubblewrap is not installed (no `bwrap` on PATH)",
      fix: 'install it (apt-get install bubblewrap / dnf install bubblewrap), or set sandbox = "off"',
    };
  if (r.status !== 0) {
    const said = (r.stderr ?? "").trim().split("\n")[0] || `exit code ${r.status}`;
    return {
      ok: false,
      problem: `bubblewrap cannot create a sandbox here: ${said}`,
      fix: `${userNamespaceFix()}, or set sandbox = "off"`,
    };
  }
  return { ok: true };
}

function sysctl(path: string): string | null {
  try {
    return readFileSync(`/proc/sys/${path}`, "utf8").trim();
  } catch {
    return null;
  }
}

/** The switch that keeps unprivileged user namespaces off on this kernel, as the command that turns it on. */
function userNamespaceFix(): string {
  if (sysctl("kernel/unprivileged_userns_clone") === "0")
    return "enable unprivileged user namespaces: sudo sysctl -w kernel.unprivileged_userns_clone=1";
  if (sysctl("user/max_user_namespaces") === "0")
    return "allow user namespaces: sudo sysctl -w user.max_user_namespaces=15000";
  if (sysctl("kernel/apparmor_restrict_unprivileged_userns") === "1")
    return "let AppArmor allow user namespaces: sudo sysctl -w kernel.apparmor_restrict_unprivileged_userns=0 (or give bwrap an AppArmor profile)";
  return "enable unprivileged user namespaces (sysctl kernel.unprivileged_userns_clone=1, user.max_user_namespaces > 0); in a container, run it with user namespaces allowed";
}

export type SandboxSetting = "off" | "auto" | "on";

/** Whether a session runs sandboxed, given the setting; `on` where it cannot work is an error. */
export function decideSandbox(setting: SandboxSetting): boolean {
  if (setting === "off") return false;
  const s = sandboxSupport();
  if (s.ok) return true;
  if (setting === "on") throw new BraidError(s.problem ?? "the sandbox cannot start", s.fix);
  return false;
}

let overlayCached: SandboxSupport | undefined;

/** Can an overlay be mounted in a user + mount namespace here (`copy_mode = "overlay"`)? Asked once. */
export function requireOverlaySupport(): void {
  overlayCached ??= probeOverlay();
  if (!overlayCached.ok)
    throw new BraidError(overlayCached.problem ?? "overlayfs cannot be mounted", overlayCached.fix);
}

function probeOverlay(): SandboxSupport {
  const dir = mkdtempSync(join(tmpdir(), "braid-overlay-probe-"));
  try {
    for (const d of ["lower", "upper", "work", "mnt"]) mkdirSync(join(dir, d));
    const opts = `lowerdir=${dir}/lower,upperdir=${dir}/upper,workdir=${dir}/work,userxattr`;
    const r = spawnSync(
      "unshare",
      ["-Urm", "--", "mount", "-t", "overlay", "braid-overlay", "-o", opts, `${dir}/mnt`],
      {
        encoding: "utf8",
        timeout: 10_000,
      },
    );
    if ((r.error as NodeJS.ErrnoException | undefined)?.code === "ENOENT")
      return {
        ok: false,
        problem: "`unshare` is not installed (util-linux)",
        fix: 'install util-linux, or set copy_mode = "copy"',
      };
    if (r.status !== 0) {
      const said = (r.stderr ?? "").trim().split("\n")[0] || `exit code ${r.status}`;
      return {
        ok: false,
        problem: `overlayfs cannot be mounted in a user namespace here: ${said}`,
        fix: 'use a kernel >= 5.11 with unprivileged user namespaces, or set copy_mode = "copy"',
      };
    }
    return { ok: true };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
