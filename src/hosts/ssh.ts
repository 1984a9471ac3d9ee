/**
 * The one way braid talks to a host: OpenSSH with argument arrays, `BatchMode=yes` (never a password
 * prompt), connection multiplexing (ControlMaster=auto, a ControlPath under braid's data dir, ControlPersist)
 * so a status refresh costs one round trip on an open connection, and `-F <ssh_config>` when the user named
 * one. Secrets travel on the channel's stdin, never in argv on either side.
 */
import { spawn } from "node:child_process";
import { statSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { BraidError } from "../infra/errors.js";
import { mkdirPrivate } from "../infra/fsutil.js";
import { hashHex } from "../infra/hash.js";
import { braidHome, globalConfigPath } from "../project/paths.js";
import { readTomlFile } from "../project/toml-file.js";
import type { HostEntry } from "./registry.js";

/** The ssh config file to pass with -F: $BRAID_SSH_CONFIG, else the global setting `ssh_config`, else none. */
export function sshConfigFile(): string | undefined {
  if (process.env.BRAID_SSH_CONFIG) return process.env.BRAID_SSH_CONFIG;
  // Global config only: a repository must not choose how braid reaches other machines. Read raw, not through
  // the schema (config.ts): its validator is the biggest start-up cost, and `status` reaches this module.
  const fromConfig = readTomlFile(globalConfigPath()).ssh_config;
  return typeof fromConfig === "string" && fromConfig ? fromConfig : undefined;
}

/**
 * The master connection's socket for this target: under braid's data dir, named by a short hash of the
 * target and config file. A unix socket path has ~104 bytes and ssh adds a 17-byte suffix while it sets one
 * up, so a deep data dir falls back to a private dir of this user's under /tmp.
 */
function controlPath(target: string, cfg: string | undefined): string {
  const name = hashHex("sha256", `${target}\0${cfg ?? ""}`).slice(0, 16);
  let dir = join(braidHome(), "ssh");
  if (dir.length + name.length + 20 > 100) dir = join(tmpdir(), `braid-ssh-${process.getuid?.() ?? "u"}`);
  mkdirPrivate(dir);
  const st = statSync(dir);
  if (process.getuid && st.uid !== process.getuid())
    throw new BraidError(`${dir} belongs to another user`, "remove it, or set BRAID_HOME to a shorter path");
  return join(dir, name);
}

/** ssh's options, before the target. */
export function sshOptions(target: string): string[] {
  const cfg = sshConfigFile();
  return [
    ...(cfg ? ["-F", cfg] : []),
    "-o",
    "BatchMode=yes",
    "-o",
    "ConnectTimeout=10",
    "-o",
    "ServerAliveInterval=10",
    "-o",
    "ServerAliveCountMax=2",
    "-o",
    "ControlMaster=auto",
    "-o",
    `ControlPath=${controlPath(target, cfg)}`,
    "-o",
    "ControlPersist=120",
    "-o",
    "LogLevel=ERROR",
  ];
}

/** GIT_SSH_COMMAND for git talking to a host: the same options (quoted for the shell git runs it with). */
export function gitSshCommand(target: string): string {
  return ["ssh", ...sshOptions(target)].map(shellQuote).join(" ");
}

/** POSIX single-quoting: ssh hands the remote command to the host user's shell as one string. */
export function shellQuote(s: string): string {
  return /^[A-Za-z0-9_./=:@%+-]+$/.test(s) ? s : `'${s.replace(/'/g, `'\\''`)}'`;
}

export interface SshResult {
  code: number;
  stdout: string;
  stderr: string;
}

export interface SshRun {
  /** Data for the remote command's stdin (env values, requests). */
  input?: string | Buffer;
  timeoutMs?: number;
}

/**
 * Run argv on the host (quoted for its shell). Resolves with the remote exit code; ssh's own failures come
 * back as code 255 with ssh's message (see sshFailure).
 */
export function runOnHost(host: HostEntry, argv: readonly string[], o: SshRun = {}): Promise<SshResult> {
  return runSsh([...sshOptions(host.target), host.target, "--", argv.map(shellQuote).join(" ")], o);
}

/** Run ssh with these arguments. */
export function runSsh(args: readonly string[], o: SshRun = {}): Promise<SshResult> {
  return new Promise((resolve, reject) => {
    const child = spawn("ssh", args, { stdio: ["pipe", "pipe", "pipe"], env: { ...process.env, LC_ALL: "C" } });
    const out: Buffer[] = [];
    const err: Buffer[] = [];
    let exitCode: number | null = null;
    let outDone = false;
    let settled = false;
    const timer = setTimeout(() => {
      child.kill("SIGKILL");
      finish(255, "timed out");
    }, o.timeoutMs ?? 60_000);
    const finish = (code: number, extraErr?: string) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      resolve({
        code,
        stdout: Buffer.concat(out).toString("utf8"),
        stderr: Buffer.concat(err).toString("utf8") + (extraErr ?? ""),
      });
    };
    // A multiplexing master started by this ssh keeps its stderr open for its whole life: finish on exit
    // plus stdout's end, not on stderr's.
    const maybeDone = () => {
      if (exitCode !== null && outDone) setTimeout(() => finish(exitCode ?? 255), 20);
    };
    child.stdout.on("data", (d: Buffer) => out.push(d));
    child.stderr.on("data", (d: Buffer) => err.push(d));
    child.stdout.on("end", () => {
      outDone = true;
      maybeDone();
    });
    child.on("error", (e) => {
      clearTimeout(timer);
      if (!settled) {
        settled = true;
        reject(e);
      }
    });
    child.on("exit", (code) => {
      exitCode = code ?? 255;
      maybeDone();
    });
    child.stdin.on("error", () => {
      /* the remote may not read its stdin */
    });
    child.stdin.end(o.input ?? "");
  });
}

/** A one-line BraidError for ssh's own failure (exit 255), naming the host and the fix. */
export function sshFailure(host: HostEntry, stderr: string): BraidError {
  const line =
    stderr
      .split("\n")
      .map((l) => l.trim())
      .filter(Boolean)
      .pop() ?? "ssh failed";
  if (/Permission denied|Too many authentication failures/i.test(stderr))
    return new BraidError(
      `host ${host.name} (${host.target}) refused the login: ${line}`,
      `make key-based login work without a prompt: ssh -o BatchMode=yes ${host.target} true`,
    );
  if (/Could not resolve hostname/i.test(stderr))
    return new BraidError(
      `host ${host.name}: cannot resolve ${host.target}`,
      "fix the target (an ssh config alias or user@host), then braid host check",
    );
  if (/Host key verification failed|REMOTE HOST IDENTIFICATION HAS CHANGED/i.test(stderr))
    return new BraidError(
      `host ${host.name}: host key verification failed`,
      `connect once with ssh ${host.target} to accept its key (or fix known_hosts)`,
    );
  if (
    /Connection refused|timed out|No route to host|Connection closed|Network is unreachable|Broken pipe/i.test(stderr)
  )
    return new BraidError(
      `host ${host.name} (${host.target}) is not answering: ${line}`,
      "check the machine and its sshd are up, then braid host check",
    );
  return new BraidError(`host ${host.name} (${host.target}): ${line}`, `try: ssh -o BatchMode=yes ${host.target} true`);
}

/** Is this result ssh failing to reach/log in (as opposed to the remote command's own exit code)? */
export function sshBroken(r: SshResult): boolean {
  return r.code === 255;
}

/** The words a program uses for a full disk (git, node, coreutils). */
export function isDiskFull(text: string): boolean {
  return /No space left on device|ENOSPC|Disk quota exceeded|EDQUOT/i.test(text);
}

/** A full disk on the host, as one line with its fix. */
export function diskFull(host: HostEntry, where: string): BraidError {
  return new BraidError(
    `host ${host.name} is out of disk space (${where})`,
    `free space there (df -h ${where} on ${host.name}), then run the command again`,
  );
}
