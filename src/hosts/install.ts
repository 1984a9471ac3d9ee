/**
 * `braid host add --install`: put this braid version on the host from the local package, not from the
 * internet. `npm pack` of this checkout plus its production dependencies copied from the local node_modules
 * (resolved the way node resolves them), as one tarball streamed over the ssh channel and unpacked into
 * `<dir>/lib/braid-<version>`, with `<dir>/bin/braid` pointing at it (npm's prefix layout).
 */
import { spawnSync } from "node:child_process";
import { cpSync, existsSync, mkdtempSync, readFileSync, realpathSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join, relative } from "node:path";
import { fileURLToPath } from "node:url";
import { BraidError } from "../infra/errors.js";
import type { HostEntry } from "./registry.js";
import { runOnHost, sshBroken, sshFailure } from "./ssh.js";

/** This braid's package root (dist/src/hosts → three levels up). */
function packageRoot(): string {
  return realpathSync(join(dirname(fileURLToPath(import.meta.url)), "..", "..", ".."));
}

interface Pkg {
  version?: string;
  dependencies?: Record<string, string>;
  optionalDependencies?: Record<string, string>;
}

function readPkg(dir: string): Pkg {
  return JSON.parse(readFileSync(join(dir, "package.json"), "utf8")) as Pkg;
}

/** Where node would find `name` from a package at `from` (its node_modules, then each parent's). */
function resolveDep(root: string, from: string, name: string): string | null {
  for (let d = from; ; d = dirname(d)) {
    const c = join(d, "node_modules", name);
    if (existsSync(join(c, "package.json"))) return c;
    if (d === root || d === dirname(d)) return null;
  }
}

/** Production dependency dirs of the package at root, each once. Missing optional ones are fine. */
export function productionDeps(root: string): string[] {
  const seen = new Set<string>();
  const visit = (from: string) => {
    const p = readPkg(from);
    const deps = [
      ...Object.keys(p.dependencies ?? {}).map((n) => [n, true] as const),
      ...Object.keys(p.optionalDependencies ?? {}).map((n) => [n, false] as const),
    ];
    for (const [name, required] of deps) {
      const at = resolveDep(root, from, name);
      if (!at) {
        if (required) throw new BraidError(`cannot find ${name} in ${root}/node_modules`, "run npm install first");
        continue;
      }
      if (seen.has(at)) continue;
      seen.add(at);
      visit(at);
    }
  };
  visit(root);
  return [...seen].sort();
}

/** The install tarball (gzip): package/ from npm pack, with package/node_modules filled in. */
function buildBundle(root: string): { file: string; version: string; cleanup: () => void } {
  const tmp = mkdtempSync(join(tmpdir(), "braid-host-pack-"));
  const cleanup = () => rmSync(tmp, { recursive: true, force: true });
  try {
    const pack = spawnSync("npm", ["pack", "--silent", "--pack-destination", tmp], {
      cwd: root,
      encoding: "utf8",
      env: { ...process.env, npm_config_audit: "false", npm_config_fund: "false", npm_config_update_notifier: "false" },
    });
    const tgz = pack.stdout.trim().split("\n").pop() ?? "";
    if (pack.status !== 0 || !tgz) throw new BraidError(`npm pack failed: ${pack.stderr.trim().split("\n").pop()}`);
    const stage = join(tmp, "stage");
    const untar = spawnSync("sh", ["-c", 'mkdir -p "$2" && tar -xzf "$1" -C "$2"', "sh", join(tmp, tgz), stage]);
    if (untar.status !== 0) throw new BraidError("could not unpack the braid package", "check free space in /tmp");
    const realModules = realpathSync(join(root, "node_modules"));
    for (const dep of productionDeps(root)) {
      // keep the dependency's place relative to the package, node_modules symlink or not
      const rel = relative(realModules, realpathSync(dep));
      cpSync(dep, join(stage, "package", "node_modules", rel), {
        recursive: true,
        dereference: true,
        filter: (src) => !src.endsWith(`${"/node_modules"}/.bin`),
      });
    }
    const file = join(tmp, "bundle.tgz");
    const tar = spawnSync("tar", ["-czf", file, "-C", stage, "package"]);
    if (tar.status !== 0) throw new BraidError("could not pack braid for the host", "check free space in /tmp");
    return { file, version: readPkg(root).version ?? "0.0.0", cleanup };
  } catch (e) {
    cleanup();
    throw e;
  }
}

/** Unpack on the host into a temp dir, then swap it in (a failed install leaves the old one working). */
const UNPACK = [
  "set -e",
  'd="$1"; v="$2"',
  'case "$d" in /*) ;; *) d="$HOME/$d" ;; esac',
  'mkdir -p "$d/lib" "$d/bin"',
  't="$d/lib/.braid-$v.$$"',
  'rm -rf "$t"; mkdir "$t"',
  'tar -xzf - -C "$t"',
  'rm -rf "$d/lib/braid-$v"',
  'mv "$t" "$d/lib/braid-$v"',
  'ln -sfn "../lib/braid-$v/package/bin/braid.js" "$d/bin/braid.tmp"',
  'mv -f "$d/bin/braid.tmp" "$d/bin/braid"',
  '"$d/bin/braid" --version',
].join("\n");

export interface InstallResult {
  version: string;
  bytes: number;
}

export async function installOnHost(host: HostEntry): Promise<InstallResult> {
  const bundle = buildBundle(packageRoot());
  try {
    const data = readFileSync(bundle.file);
    const r = await runOnHost(host, ["sh", "-c", UNPACK, "sh", host.dir, bundle.version], {
      input: data,
      timeoutMs: 300_000,
    });
    if (sshBroken(r)) throw sshFailure(host, r.stderr);
    if (r.code !== 0 || r.stdout.trim() !== bundle.version) {
      const why = (r.stderr.trim().split("\n").pop() ?? "").trim() || `exit ${r.code}`;
      throw new BraidError(
        `installing braid ${bundle.version} on host ${host.name} failed: ${why}`,
        `check node ≥ 20 and free space in ${host.dir} on the host (braid host check ${host.name})`,
      );
    }
    return { version: bundle.version, bytes: data.length };
  } finally {
    bundle.cleanup();
  }
}
