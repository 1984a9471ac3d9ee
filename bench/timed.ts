/**
 * One way the benches time a process: wall time, and user+sys CPU of the process and its children (git) by
 * GNU time when the machine has it. CPU is the steadier figure on a busy machine or a noisy disk (10 ms steps).
 */
import { type SpawnSyncOptions, spawnSync } from "node:child_process";
import { existsSync } from "node:fs";

const TIME = existsSync("/usr/bin/time") ? "/usr/bin/time" : null;
const TAG = "BRAIDCPU";

export interface Timed {
  ms: number;
  /** user+sys ms, children included; NaN without GNU time. */
  cpuMs: number;
  status: number | null;
  stdout: string;
  stderr: string;
}

export function timed(cmd: string, args: string[], opts: SpawnSyncOptions = {}): Timed {
  const [c, a] = TIME ? [TIME, ["-f", `${TAG} %U %S`, cmd, ...args]] : [cmd, args];
  const t = performance.now();
  const r = spawnSync(c, a, { maxBuffer: 1 << 28, ...opts, encoding: "utf8" });
  const ms = performance.now() - t;
  const stderr = String(r.stderr ?? "");
  const m = new RegExp(`${TAG} ([\\d.]+) ([\\d.]+)\\n?$`).exec(stderr);
  return {
    ms,
    cpuMs: m ? (Number(m[1]) + Number(m[2])) * 1000 : Number.NaN,
    status: r.status,
    stdout: String(r.stdout ?? ""),
    stderr: m ? stderr.slice(0, m.index) : stderr,
  };
}
