/**
 * Trust for repository-provided commands (setup, teardown, services, env: TRUSTED_KEYS). A `braid.toml` arrives with `git clone`/`git pull`, so
 * its `setup` commands are someone else's code until the user approves that exact list. Approvals live
 * outside the repo (`<braidHome>/trust.json`), keyed by the repo's common dir, storing a hash of the list:
 * any change to the commands needs a new `braid trust`.
 */
import { createHash } from "node:crypto";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { BraidError } from "../errors.js";
import { withLock, writeFileAtomic } from "../fsutil.js";
import type { ProjectContext } from "../project/context.js";
import { braidHome } from "../project/paths.js";

export interface TrustEntry {
  /** git common dir of the repository. */
  repo: string;
  /** sha256 of the JSON command list. */
  hash: string;
  commands: string[];
  trustedAt: string;
}

interface TrustFile {
  version: 1;
  entries: Record<string, TrustEntry>;
}

export function trustFilePath(): string {
  return join(braidHome(), "trust.json");
}

export function hashCommands(commands: string[]): string {
  return createHash("sha256").update(JSON.stringify(commands)).digest("hex");
}

function readTrust(): TrustFile {
  let text: string;
  try {
    text = readFileSync(trustFilePath(), "utf8");
  } catch {
    return { version: 1, entries: {} };
  }
  try {
    const d = JSON.parse(text) as TrustFile;
    if (d?.version === 1 && d.entries && typeof d.entries === "object") return d;
  } catch {
    /* fall through */
  }
  throw new BraidError(
    `trust store ${trustFilePath()} is corrupt`,
    `move it aside (mv ${trustFilePath()} ${trustFilePath()}.bad) and run \`braid trust\` again`,
  );
}

/**
 * Config keys whose values from the repository's braid.toml run programs or steer them (an `env` can set
 * NODE_OPTIONS or PATH): they apply only after `braid trust`. Add a key here to gate it.
 */
export const TRUSTED_KEYS = ["setup", "teardown", "services", "env"] as const;
export type TrustedKey = (typeof TRUSTED_KEYS)[number];

function isEmpty(v: unknown): boolean {
  return (
    v === undefined ||
    (Array.isArray(v) ? v.length === 0 : typeof v === "object" && v !== null && !Object.keys(v).length)
  );
}

/** The gated values the repository itself provides (project braid.toml), raw as written; empty ones left out. */
export async function repoGatedValues(ctx: ProjectContext): Promise<Partial<Record<TrustedKey, unknown>>> {
  const { projectConfigPath, readTomlFile } = await import("../project/config.js");
  const raw = readTomlFile(projectConfigPath(ctx.project.mainWorktree));
  const out: Partial<Record<TrustedKey, unknown>> = {};
  for (const k of TRUSTED_KEYS) if (!isEmpty(raw[k])) out[k] = raw[k];
  return out;
}

/** Hash of what is trusted. Only `setup` → the hash of its list, as before the other keys existed. */
function gatedHash(values: Partial<Record<TrustedKey, unknown>>): string {
  const keys = Object.keys(values);
  if (keys.length === 1 && Array.isArray(values.setup)) return hashCommands(values.setup as string[]);
  return createHash("sha256")
    .update(JSON.stringify(TRUSTED_KEYS.map((k) => [k, values[k] ?? null])))
    .digest("hex");
}

/** One line per gated item, for people to review: setup lines as they are, the rest labelled. */
function describe(values: Partial<Record<TrustedKey, unknown>>): string[] {
  const lines: string[] = [...((values.setup as string[] | undefined) ?? [])];
  for (const t of (values.teardown as string[] | undefined) ?? []) lines.push(`teardown: ${t}`);
  for (const [name, svc] of Object.entries((values.services as Record<string, { command?: string[] }>) ?? {}))
    lines.push(`service ${name}: ${JSON.stringify(svc?.command ?? [])}`);
  for (const [k, v] of Object.entries((values.env as Record<string, string>) ?? {})) lines.push(`env ${k}=${v}`);
  return lines;
}

export interface TrustState {
  /** Gated keys the repository's braid.toml sets. */
  repoKeys: TrustedKey[];
  /** True when they may be used: none set, or exactly these values were trusted. */
  trusted: boolean;
}

export async function repoTrust(ctx: ProjectContext): Promise<TrustState> {
  const values = await repoGatedValues(ctx);
  const repoKeys = Object.keys(values) as TrustedKey[];
  if (repoKeys.length === 0) return { repoKeys, trusted: true };
  const entry = readTrust().entries[ctx.project.commonDir];
  return { repoKeys, trusted: entry?.hash === gatedHash(values) };
}

/** May the effective value of `key` be used? (It comes from the user's own config, or the repo is trusted.) */
export async function keyTrusted(ctx: ProjectContext, key: TrustedKey): Promise<boolean> {
  const t = await repoTrust(ctx);
  return t.trusted || !t.repoKeys.includes(key);
}

export interface SetupPlan {
  commands: string[];
  /** True when every command may run: the list comes only from the user's global config, or is trusted. */
  trusted: boolean;
}

/** The setup commands to run and whether they may run. */
export async function setupPlan(ctx: ProjectContext): Promise<SetupPlan> {
  const commands = ctx.config.setup;
  if (commands.length === 0) return { commands, trusted: true };
  return { commands, trusted: await keyTrusted(ctx, "setup") };
}

/** Trust the repository's current setup commands, teardown commands, services and env. */
export async function trustRepo(ctx: ProjectContext): Promise<TrustEntry> {
  const values = await repoGatedValues(ctx);
  const commands = Object.keys(values).length ? describe(values) : ctx.config.setup;
  if (commands.length === 0) {
    throw new BraidError(
      "this repository has no setup, teardown, services or env to trust",
      "add `setup = [...]` (or [services.NAME]) to braid.toml first",
    );
  }
  const entry: TrustEntry = {
    repo: ctx.project.commonDir,
    hash: Object.keys(values).length ? gatedHash(values) : hashCommands(commands),
    commands,
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
