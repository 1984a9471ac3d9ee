/**
 * Runs the user's verify command (config `verify` or `--verify`) in the integration worktree.
 * It goes through `sh -c` on purpose: it is the user's own command line from their config or their
 * shell (pipes, `&&`, env vars are expected), not text that came from an agent or another user.
 */
import { spawn } from "node:child_process";

export interface VerifyResult {
  ok: boolean;
  code: number;
  /** True when the shell could not find the command (exit 127). */
  notFound: boolean;
  /** Last lines of combined output. */
  tail: string;
  ms: number;
}

const TAIL_LINES = 30;

export function runVerify(command: string, cwd: string, env: Record<string, string> = {}): Promise<VerifyResult> {
  const t0 = performance.now();
  return new Promise((resolve) => {
    const child = spawn("/bin/sh", ["-c", command], {
      cwd,
      env: { ...process.env, ...env },
      stdio: ["ignore", "pipe", "pipe"],
    });
    let out = "";
    const keep = (d: Buffer) => {
      out += d.toString("utf8");
      if (out.length > 64_000) out = out.slice(-32_000);
    };
    child.stdout.on("data", keep);
    child.stderr.on("data", keep);
    child.on("error", (e) =>
      resolve({ ok: false, code: 127, notFound: true, tail: e.message, ms: Math.round(performance.now() - t0) }),
    );
    child.on("close", (code, signal) => {
      const c = code ?? (signal ? 128 : 1);
      const tail = out.trimEnd().split("\n").slice(-TAIL_LINES).join("\n");
      resolve({ ok: c === 0, code: c, notFound: c === 127, tail, ms: Math.round(performance.now() - t0) });
    });
  });
}
