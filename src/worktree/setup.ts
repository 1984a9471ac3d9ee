/**
 * Run a worktree's setup commands (`setup = [...]` in config).
 *
 * These are the one place braid uses a shell: each entry is a command line the user wrote (or
 * explicitly trusted with `braid trust`) to run as their own command, exactly as if typed in the new
 * worktree — pipes, `&&` and env expansion included. No braid- or agent-supplied text is ever
 * interpolated into them; session details reach them only as BRAID_* environment variables.
 */
import { spawn } from "node:child_process";
import { fillTemplate } from "../project/template.js";

export interface SetupEnv {
  name: string;
  branch: string;
  path: string;
  mainWorktree: string;
  /** Where to run (default: path). */
  cwd?: string;
  /** The session's ports and configured env (src/ports/env.ts). */
  extra?: Record<string, string>;
  /** Filled into `{key}` placeholders: only values braid controls (digits, validated session names). */
  templates?: Record<string, string>;
}

export interface SetupFailure {
  command: string;
  code: number | null;
  signal: string | null;
}

/** Run commands one after another in `env.path`; stop at the first failure and return it. */
export async function runSetup(commands: string[], env: SetupEnv): Promise<SetupFailure | null> {
  for (const template of commands) {
    const command = env.templates ? fillTemplate(template, env.templates) : template;
    const { code, signal } = await new Promise<{ code: number | null; signal: string | null }>((resolve) => {
      const child = spawn(command, {
        shell: true,
        cwd: env.cwd ?? env.path,
        env: {
          ...process.env,
          BRAID_NAME: env.name,
          BRAID_BRANCH: env.branch,
          BRAID_PATH: env.path,
          BRAID_MAIN_WORKTREE: env.mainWorktree,
          ...env.extra,
        },
        // The command's own output goes to stderr so `--json` on stdout stays parseable.
        stdio: ["ignore", 2, 2],
      });
      child.on("error", () => resolve({ code: 127, signal: null }));
      child.on("close", (c, s) => resolve({ code: c, signal: s }));
    });
    if (code !== 0) return { command, code, signal };
  }
  return null;
}
