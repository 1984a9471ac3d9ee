/**
 * Trust for repository-provided setup commands. A `braid.toml` arrives with `git clone`/`git pull`, so
 * its `setup` commands are someone else's code until the user approves that exact list. Approvals live
 * outside the repo (`<braidHome>/trust.json`), keyed by the repo's common dir, storing a hash of the list:
 * any change to the commands needs a new `braid trust`.
 */
import { createHash } from "node:crypto";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { BraidError } from "../infra/errors.js";
import { withLock, writeFileAtomic } from "../infra/fsutil.js";
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

/** The setup commands the repository itself provides (project braid.toml), or [] if none. */
export async function repoSetupCommands(ctx: ProjectContext): Promise<string[]> {
  const { projectConfigPath, readTomlFile } = await import("../project/config.js");
  const raw = readTomlFile(projectConfigPath(ctx.project.mainWorktree)).setup;
  return Array.isArray(raw) ? (raw as string[]) : [];
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
  // A list that the project file does not set came from the user's own global config.
  if ((await repoSetupCommands(ctx)).length === 0) return { commands, trusted: true };
  const entry = readTrust().entries[ctx.project.commonDir];
  return { commands, trusted: entry?.hash === hashCommands(commands) };
}

/** Trust the repository's current setup command list. */
export async function trustRepo(ctx: ProjectContext): Promise<TrustEntry> {
  const commands = ctx.config.setup;
  if (commands.length === 0) {
    throw new BraidError("this repository has no setup commands to trust", "add `setup = [...]` to braid.toml first");
  }
  const entry: TrustEntry = {
    repo: ctx.project.commonDir,
    hash: hashCommands(commands),
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
