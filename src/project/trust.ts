/**
 * Trust for what a repository's own braid.toml asks braid to run or where it puts files. The file arrives
 * with `git clone`/`git pull`: until the user runs `braid trust`, every key that runs a program or chooses
 * where files go is ignored (the user's global config and braid's defaults apply) with a one-line warning.
 * A trust covers the content, not the path: the gated keys' values, the content of the repository files
 * their commands name (`sh scripts/setup.sh` → that script), and the repository's identity (its git dir's
 * inode and birth time: a different clone at the same path is a different repository). Any change asks
 * again. Approvals live outside the repo (`<braidHome>/trust.json`).
 */
import { readFileSync, statSync } from "node:fs";
import { dirname, isAbsolute, join, relative, resolve, sep } from "node:path";
import { BraidError } from "../infra/errors.js";
import { withLock, writeFileAtomic } from "../infra/fsutil.js";
import { hashHex } from "../infra/hash.js";
import { readStore } from "../infra/json.js";
import { braidHome } from "./paths.js";
import { fillTemplate } from "./template.js";

/**
 * Keys that run a program or choose where files go. Keys later features add belong here too: a key not in
 * the config schema is simply never present.
 */
export const GATED_KEYS = [
  "setup",
  "verify",
  "agent",
  "agents",
  "worktree_path",
  "services",
  "teardown",
  "env",
  "notify_command",
  "notify_url",
] as const;

export interface TrustEntry {
  /** git common dir of the repository. */
  repo: string;
  /** sha256 over the gated values, the files their commands name, and the repository identity. */
  hash: string;
  /** Every command string the trust covers (for review). */
  commands: string[];
  /** The gated keys it covers. */
  keys?: string[];
  /** Repository files the commands name, with their sha256. */
  files?: Array<{ path: string; sha256: string }>;
  trustedAt: string;
}

interface TrustFile {
  version: 1;
  entries: Record<string, TrustEntry>;
}

/** What a project file asks for that needs trust, and whether it has it. */
export interface TrustGate {
  /** Gated keys the project file sets (worktree_path only when it points outside the repo's parent). */
  keys: string[];
  /** True when there is nothing to trust or the current content is trusted. */
  trusted: boolean;
  hash: string;
  commands: string[];
  files: Array<{ path: string; sha256: string }>;
}

export function trustFilePath(): string {
  return join(braidHome(), "trust.json");
}

export function readTrust(): TrustFile {
  return readStore<TrustFile>(
    trustFilePath(),
    "entries",
    () => ({ version: 1, entries: {} }),
    new BraidError(
      `trust store ${trustFilePath()} is corrupt`,
      `move it aside (mv ${trustFilePath()} ${trustFilePath()}.bad) and run \`braid trust\` again`,
    ),
  );
}

/**
 * A worktree_path that puts checkouts next to the repository (a sibling in its parent dir, like the
 * default `../{repo}-{name}`) or inside it needs no trust; anywhere else (another project's folder, an
 * absolute path) it does.
 */
function pathStaysNear(template: unknown, mainWorktree: string): boolean {
  if (typeof template !== "string") return false;
  const p = fillTemplate(template, { repo: "r", name: "n" });
  const abs = isAbsolute(p) ? p : resolve(mainWorktree, p);
  const inRepo = relative(mainWorktree, abs);
  if (inRepo !== "" && !inRepo.startsWith("..") && !isAbsolute(inRepo)) return true;
  const rel = relative(dirname(mainWorktree), abs);
  return rel !== "" && !rel.startsWith("..") && !isAbsolute(rel) && !rel.includes(sep);
}

/** The gated part of a project file's raw values. */
export function gatedValues(project: Record<string, unknown>, mainWorktree: string): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const k of GATED_KEYS) {
    if (!(k in project)) continue;
    if (k === "worktree_path" && pathStaysNear(project[k], mainWorktree)) continue;
    out[k] = project[k];
  }
  return out;
}

function strings(v: unknown, out: string[] = []): string[] {
  if (typeof v === "string") out.push(v);
  else if (Array.isArray(v)) for (const x of v) strings(x, out);
  else if (v && typeof v === "object") for (const x of Object.values(v)) strings(x, out);
  return out;
}

/** Repository files a command line names (`sh scripts/setup.sh`, `./run.sh`, `node tools/x.mjs`). */
function namedFiles(commands: string[], mainWorktree: string): Array<{ path: string; sha256: string }> {
  const seen = new Map<string, string>();
  for (const c of commands) {
    for (const raw of c.split(/[\s;&|()<>=]+/)) {
      const tok = raw.replace(/^['"]|['"]$/g, "");
      if (!tok || tok.startsWith("-") || !/[/.]/.test(tok)) continue;
      const abs = resolve(mainWorktree, tok);
      const rel = relative(mainWorktree, abs);
      if (rel.startsWith("..") || isAbsolute(rel) || seen.has(rel)) continue;
      try {
        if (!statSync(abs).isFile()) continue;
        seen.set(rel, hashHex("sha256", readFileSync(abs)));
      } catch {
        /* not a file */
      }
    }
  }
  return [...seen].map(([path, sha256]) => ({ path, sha256 })).sort((a, b) => a.path.localeCompare(b.path));
}

function identity(commonDir: string): string {
  try {
    const st = statSync(commonDir);
    return `${commonDir}\0${st.ino}\0${Math.round(st.birthtimeMs || st.ctimeMs)}`;
  } catch {
    return commonDir;
  }
}

function sorted(v: Record<string, unknown>): string {
  return JSON.stringify(Object.fromEntries(Object.entries(v).sort(([a], [b]) => a.localeCompare(b))));
}

/** Decide the trust for a project file's gated values (cheap: reads trust.json and the named files). */
export function trustGate(gated: Record<string, unknown>, mainWorktree: string, commonDir: string): TrustGate {
  const keys = Object.keys(gated);
  if (keys.length === 0) return { keys, trusted: true, hash: "", commands: [], files: [] };
  const commands = strings(gated);
  const files = namedFiles(commands, mainWorktree);
  const hash = hashHex("sha256", [sorted(gated), JSON.stringify(files), identity(commonDir)].join("\0"));
  let trusted = false;
  try {
    trusted = readTrust().entries[commonDir]?.hash === hash;
  } catch {
    /* a corrupt trust store trusts nothing (braid trust says how to fix it) */
  }
  return { keys, trusted, hash, commands, files };
}

/** The one-line warning for ignored keys. */
export function untrustedWarning(gate: TrustGate, projectFile: string): string {
  return `${projectFile} sets ${gate.keys.join(", ")} (commands braid would run or paths it would write), but this repository is not trusted: ignored — review them, then run \`braid trust\``;
}

/** Trust the current content. */
export async function writeTrust(commonDir: string, gate: TrustGate): Promise<TrustEntry> {
  const entry: TrustEntry = {
    repo: commonDir,
    hash: gate.hash,
    commands: gate.commands,
    keys: gate.keys,
    files: gate.files,
    trustedAt: new Date().toISOString(),
  };
  await withLock(trustFilePath(), () => {
    const d = readTrust();
    d.entries[entry.repo] = entry;
    writeFileAtomic(trustFilePath(), `${JSON.stringify(d, null, 2)}\n`);
  });
  return entry;
}

/** Forget the trust for a repository. Returns whether there was one. */
export async function revokeTrust(commonDir: string): Promise<boolean> {
  return withLock(trustFilePath(), () => {
    const d = readTrust();
    if (!d.entries[commonDir]) return false;
    delete d.entries[commonDir];
    writeFileAtomic(trustFilePath(), `${JSON.stringify(d, null, 2)}\n`);
    return true;
  });
}

export function listTrust(): TrustEntry[] {
  return Object.values(readTrust().entries).sort((a, b) => a.repo.localeCompare(b.repo));
}
