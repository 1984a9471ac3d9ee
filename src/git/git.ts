/**
 * The single place braid runs git. Always spawn with an argument array, never a shell,
 * so user text (names, messages, paths) can never be interpreted as shell syntax.
 */
import { type ChildProcessByStdio, spawn } from "node:child_process";
import type { Readable, Writable } from "node:stream";

export interface GitOptions {
  cwd: string;
  /** Extra environment on top of process.env (e.g. GIT_INDEX_FILE for snapshots). */
  env?: Record<string, string | undefined>;
  /** Data for git's stdin. */
  input?: string | Buffer;
  /** Exit codes that are not errors (e.g. merge-tree's 1 for "conflict"). Default [0]. */
  okCodes?: number[];
  /** Poll without taking optional locks (status/diff must not fight the agent's own git). */
  noOptionalLocks?: boolean;
}

export interface GitResult {
  stdout: string;
  stderr: string;
  code: number;
}

/** git failed: carries git's own stderr so callers can show the real reason. */
export class GitError extends Error {
  readonly args: string[];
  readonly code: number;
  readonly stderr: string;
  readonly cwd: string;

  constructor(args: string[], code: number, stderr: string, cwd: string) {
    const first =
      stderr
        .trim()
        .split("\n")
        .find((l) => l.trim()) ?? `exit code ${code}`;
    super(`git ${args[0] ?? ""} failed: ${first.replace(/^(fatal|error): /, "")}`);
    this.name = "GitError";
    this.args = args;
    this.code = code;
    this.stderr = stderr;
    this.cwd = cwd;
  }
}

function gitEnv(opts: GitOptions): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = {
    ...process.env,
    // Stable, parseable messages; never wait for a password prompt.
    LC_ALL: "C",
    LANG: "C",
    GIT_TERMINAL_PROMPT: "0",
    ...opts.env,
  };
  if (opts.noOptionalLocks) env.GIT_OPTIONAL_LOCKS = "0";
  for (const k of Object.keys(env)) if (env[k] === undefined) delete env[k];
  return env;
}

/** Run git; resolves with its output, rejects with GitError on an exit code not in okCodes. */
export function git(args: string[], opts: GitOptions): Promise<GitResult> {
  return new Promise((resolve, reject) => {
    // No input → stdin is /dev/null (EOF, as before) without the cost of a pipe and its stream.
    const stdin = opts.input === undefined ? "ignore" : "pipe";
    const child = spawn("git", args, {
      cwd: opts.cwd,
      env: gitEnv(opts),
      stdio: [stdin, "pipe", "pipe"],
    }) as ChildProcessByStdio<Writable | null, Readable, Readable>;
    const out: Buffer[] = [];
    const err: Buffer[] = [];
    child.stdout.on("data", (d: Buffer) => out.push(d));
    child.stderr.on("data", (d: Buffer) => err.push(d));
    child.on("error", (e) => reject(e));
    child.on("close", (code) => {
      const result = {
        stdout: Buffer.concat(out).toString("utf8"),
        stderr: Buffer.concat(err).toString("utf8"),
        code: code ?? 128,
      };
      if ((opts.okCodes ?? [0]).includes(result.code)) resolve(result);
      else reject(new GitError(args, result.code, result.stderr, opts.cwd));
    });
    if (child.stdin) {
      child.stdin.on("error", () => {
        /* git may exit before reading stdin; the exit code tells the story */
      });
      child.stdin.end(opts.input);
    }
  });
}

/** stdout of a successful git command, without the trailing newline. */
export async function gitOut(args: string[], opts: GitOptions): Promise<string> {
  return (await git(args, opts)).stdout.replace(/\n$/, "");
}

/** stdout, or null when git exits non-zero (for questions like "does this ref exist?"). */
export async function gitTry(args: string[], opts: GitOptions): Promise<string | null> {
  try {
    return await gitOut(args, opts);
  } catch (e) {
    if (e instanceof GitError) return null;
    throw e;
  }
}

/** For `.catch`: a git failure is an answer (ignored); anything else (git missing, a bug) still throws. */
export function ignoreGitError(e: unknown): void {
  if (!(e instanceof GitError)) throw e;
}
