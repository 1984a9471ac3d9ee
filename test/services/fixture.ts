/** Shared by the ports/services tests: a fake agent that records its environment, and small waits. */
import assert from "node:assert/strict";
import { existsSync, mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { connect } from "node:net";
import { join } from "node:path";
import { braid, type Sandbox, waitFor } from "../helpers/env.js";

/** Writes its whole environment to agent-env.json in its cwd (the worktree), then waits to be stopped. */
export const ENV_AGENT = `
import fs from "node:fs";
fs.writeFileSync("agent-env.json.tmp", JSON.stringify(process.env));
fs.renameSync("agent-env.json.tmp", "agent-env.json"); // whole: the test reads it the moment it appears
setTimeout(() => process.exit(0), 600000);
`;

/**
 * The fake agent, defined in the user's own (global, always trusted) config: a repository's agent command needs
 * `braid trust`, which these tests give only to the keys they are about. Returns the braid.toml lines to
 * prepend to a test's own config (the runner).
 */
export function fakeAgentConfig(sb: Sandbox): string {
  const fake = join(sb.root, "env-agent.mjs");
  writeFileSync(fake, ENV_AGENT);
  const dir = join(sb.home, ".config", "braid");
  mkdirSync(dir, { recursive: true });
  writeFileSync(
    join(dir, "config.toml"),
    `agent = "envdump"\n[agents.envdump]\ncommand = ["${process.execPath}", "${fake}"]\n`,
  );
  return `runner = "headless"\n`;
}

/** A port base unlikely to be used by other tests running at the same time (the allocator skips busy ones anyway). */
export function randomPortBase(): number {
  return 10000 + Math.floor(Math.random() * 220) * 100;
}

export { waitFor };

/** The environment the fake agent saw in `worktree`, once it wrote it. */
export async function agentEnvOf(worktree: string): Promise<Record<string, string>> {
  const file = join(worktree, "agent-env.json");
  return waitFor(`agent env in ${worktree}`, () =>
    existsSync(file) ? (JSON.parse(readFileSync(file, "utf8")) as Record<string, string>) : null,
  );
}

export interface StatusSession {
  name: string;
  state: string;
  slot: number | null;
  ports: number[];
  services: { name: string; state: string; url: string | null; pid: number | null; detail: string | null }[];
}

export async function statusJson(sb: Sandbox, repo: string, env: NodeJS.ProcessEnv = {}): Promise<StatusSession[]> {
  const r = await braid(sb, repo, ["status", "--json"], { env });
  assert.equal(r.code, 0, r.stderr);
  return (JSON.parse(r.stdout) as { sessions: StatusSession[] }).sessions;
}

/** Does something accept TCP connections on 127.0.0.1:port? */
export function listening(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const s = connect({ port, host: "127.0.0.1" });
    s.once("connect", () => {
      s.destroy();
      resolve(true);
    });
    s.once("error", () => resolve(false));
  });
}

export function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

/** The fenced code blocks of a section of docs/ports.md (the tests run its examples as written). */
export function docBlocks(marker: string): string[] {
  const doc = readFileSync(join(import.meta.dirname, "..", "..", "..", "docs", "ports.md"), "utf8");
  const part = doc.slice(doc.indexOf(marker));
  const end = part.indexOf("\n## ", 3);
  const body = end > 0 ? part.slice(0, end) : part;
  return [...body.matchAll(/```(\w+)\n([\s\S]*?)```/g)].map((m) => `${m[1]}\n${m[2]}`);
}
