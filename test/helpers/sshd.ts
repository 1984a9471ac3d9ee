/**
 * A real OpenSSH server for the remote-host tests: its own host key and sshd_config on a loopback port, and a
 * separate unix user (with its own home) standing in for the host. The client side (key, known_hosts,
 * ssh_config) is written into the fixture dir; braid gets it through BRAID_SSH_CONFIG. Needs root (tests run
 * as root here) to add the user and to let sshd switch to it; `sshdAvailable()` says why not otherwise.
 * Ends only the sshd it started (and that sshd's own connection children), by pid.
 */
import { type ChildProcess, spawn, spawnSync } from "node:child_process";
import {
  chmodSync,
  existsSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  writeFileSync,
} from "node:fs";
import { createServer } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";

export const SSHD_BIN = "/usr/sbin/sshd";
export const HOST_USER = "braidhost";
export const HOST_ALIAS = "testhost";

export function sshdAvailable(): string | null {
  if (process.getuid?.() !== 0) return "the sshd fixture needs root (to add the host user)";
  if (!existsSync(SSHD_BIN)) return `${SSHD_BIN} missing (apt-get install openssh-server)`;
  if (spawnSync("ssh", ["-V"]).status !== 0) return "ssh client missing";
  return null;
}

/**
 * A host user, created once (idempotent): its own home, password field `*` so sshd without PAM accepts it. Each
 * test file takes its own user (test files run side by side, and each wipes its host home). useradd refuses
 * while another holds /etc/passwd's lock: try again.
 */
async function ensureHostUser(name: string): Promise<{ uid: number; gid: number; home: string }> {
  const look = () => spawnSync("getent", ["passwd", name], { encoding: "utf8" });
  let r = look();
  for (let i = 0; r.status !== 0; i++) {
    const add = spawnSync("useradd", ["-m", "-s", "/bin/sh", name], { encoding: "utf8" });
    r = look();
    if (r.status !== 0 && i >= 20) throw new Error(`useradd ${name} failed: ${add.stderr}`);
    if (r.status !== 0) await new Promise((res) => setTimeout(res, 250));
  }
  spawnSync("usermod", ["-p", "*", name]);
  const f = r.stdout.trim().split(":");
  return { uid: Number(f[2]), gid: Number(f[3]), home: f[5] ?? `/home/${name}` };
}

async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = createServer();
    s.once("error", reject);
    s.listen(0, "127.0.0.1", () => {
      const a = s.address();
      const port = typeof a === "object" && a ? a.port : 0;
      s.close(() => resolve(port));
    });
  });
}

/** Every descendant of `pid` (from /proc), deepest last. */
function descendants(pid: number): number[] {
  const parent = new Map<number, number>();
  for (const e of readdirSync("/proc")) {
    if (!/^\d+$/.test(e)) continue;
    try {
      const stat = readFileSync(`/proc/${e}/stat`, "utf8");
      const ppid = Number(stat.slice(stat.lastIndexOf(")") + 2).split(" ")[1]);
      parent.set(Number(e), ppid);
    } catch {
      /* gone */
    }
  }
  const out: number[] = [];
  const walk = (p: number) => {
    for (const [c, pp] of parent)
      if (pp === p) {
        out.push(c);
        walk(c);
      }
  };
  walk(pid);
  return out;
}

export interface SshdFixture {
  dir: string;
  port: number;
  /** ssh_config with Host `testhost` (BRAID_SSH_CONFIG). */
  sshConfig: string;
  user: { uid: number; gid: number; home: string };
  /** Add `Host name` to the ssh config: the test host with these extra lines first (e.g. `Port 1`). */
  addAlias(name: string, lines: string[]): void;
  /** Add `Host name`: the test host, but every command runs with PATH=pathDir (a host lacking programs). */
  addLimitedAlias(name: string, pathDir: string): void;
  /** Remove what earlier runs left in the host user's home (braid's, Claude's and git's own files). */
  cleanHome(): void;
  /** A fresh directory in the host user's home, owned by it (a host's `--dir`). */
  hostDir(name: string): string;
  /** Run argv as the host user on this machine (test inspection), returns stdout. */
  asHost(argv: string[], cwd?: string): string;
  /** Kill sshd and every connection it serves (the host goes down). */
  stop(): Promise<void>;
  /** Start sshd again on the same port. */
  start(): Promise<void>;
  /** stop + remove the fixture dir (not the user). */
  dispose(): Promise<void>;
}

/**
 * The host's braid starts a watcher daemon for its projects (watch/, as on any machine): end the ones under the
 * host user's home, each by the pid its own state file names (and only a `braid _watch` with that pid).
 */
function endHostWatchers(home: string): void {
  const found = spawnSync("find", [home, "-maxdepth", "8", "-path", "*/.git/braid/watch/state.json"], {
    encoding: "utf8",
  });
  for (const file of (found.stdout ?? "").split("\n").filter(Boolean)) {
    try {
      const { pid } = JSON.parse(readFileSync(file, "utf8")) as { pid: number };
      if (readFileSync(`/proc/${pid}/cmdline`, "utf8").includes("_watch")) process.kill(pid, "SIGTERM");
    } catch {
      /* gone already */
    }
  }
}

/** `hostUser`: the unix user standing in for the host (one per test file, see ensureHostUser). */
export async function startSshd(hostUser: string = HOST_USER): Promise<SshdFixture> {
  const user = await ensureHostUser(hostUser);
  mkdirSync("/run/sshd", { recursive: true, mode: 0o755 });
  // sshd reads authorized_keys as the host user: the dir must be traversable
  const dir = mkdtempSync(join(tmpdir(), "braid-sshd-"));
  chmodSync(dir, 0o755);
  const port = await freePort();
  const keygen = (file: string) => {
    const r = spawnSync("ssh-keygen", ["-q", "-t", "ed25519", "-N", "", "-f", file], { encoding: "utf8" });
    if (r.status !== 0) throw new Error(`ssh-keygen: ${r.stderr}`);
  };
  keygen(join(dir, "host_key"));
  keygen(join(dir, "client_key"));
  writeFileSync(join(dir, "authorized_keys"), readFileSync(join(dir, "client_key.pub")));
  chmodSync(join(dir, "authorized_keys"), 0o644);
  const hostPub = readFileSync(join(dir, "host_key.pub"), "utf8").trim().split(" ").slice(0, 2).join(" ");
  writeFileSync(join(dir, "known_hosts"), `[127.0.0.1]:${port} ${hostPub}\n`);
  writeFileSync(
    join(dir, "sshd_config"),
    [
      `Port ${port}`,
      "ListenAddress 127.0.0.1",
      `HostKey ${join(dir, "host_key")}`,
      `PidFile ${join(dir, "sshd.pid")}`,
      `AuthorizedKeysFile ${join(dir, "authorized_keys")}`,
      "UsePAM no",
      "StrictModes no",
      "PasswordAuthentication no",
      "KbdInteractiveAuthentication no",
      "PubkeyAuthentication yes",
      `AllowUsers ${hostUser}`,
      "PermitRootLogin no",
      "MaxSessions 64",
      "MaxStartups 64",
      "LogLevel ERROR",
      "",
    ].join("\n"),
  );
  const sshConfig = join(dir, "ssh_config");
  const block = (alias: string, extra: string[]) =>
    [
      `Host ${alias}`,
      ...extra.map((l) => `  ${l}`),
      "  HostName 127.0.0.1",
      `  Port ${port}`,
      `  User ${hostUser}`,
      `  IdentityFile ${join(dir, "client_key")}`,
      "  IdentitiesOnly yes",
      `  UserKnownHostsFile ${join(dir, "known_hosts")}`,
      "  StrictHostKeyChecking yes",
      "",
    ].join("\n");
  // ssh uses the first value it finds for each option: the alias's own lines come first
  writeFileSync(sshConfig, block(HOST_ALIAS, []));
  let child: ChildProcess | undefined;
  const start = async () => {
    child = spawn(SSHD_BIN, ["-D", "-e", "-f", join(dir, "sshd_config")], { stdio: ["ignore", "ignore", "pipe"] });
    let err = "";
    child.stderr?.on("data", (d: Buffer) => {
      err += d.toString();
    });
    const deadline = Date.now() + 20_000;
    for (;;) {
      const r = spawnSync("ssh", [
        "-F",
        sshConfig,
        "-o",
        "BatchMode=yes",
        "-o",
        "ControlMaster=no",
        HOST_ALIAS,
        "true",
      ]);
      if (r.status === 0) return;
      if (child.exitCode !== null || Date.now() > deadline) throw new Error(`sshd did not come up: ${err}`);
      await new Promise((res) => setTimeout(res, 100));
    }
  };
  const stop = async () => {
    const c = child;
    if (!c?.pid || c.exitCode !== null) return;
    const kids = descendants(c.pid);
    const exited = new Promise((res) => c.once("exit", res));
    c.kill("SIGTERM");
    for (const k of kids) {
      try {
        process.kill(k, "SIGTERM");
      } catch {
        /* already gone */
      }
    }
    await exited;
  };
  await start();
  const addAlias = (name: string, lines: string[]) => {
    writeFileSync(sshConfig, readFileSync(sshConfig, "utf8") + block(name, lines));
  };
  return {
    dir,
    port,
    sshConfig,
    user,
    addAlias,
    addLimitedAlias(name: string, pathDir: string) {
      const key = join(dir, `client_key_${name}`);
      keygen(key);
      // a forced command: the client's command runs with only pathDir on PATH
      const forced = `command="PATH=${pathDir}; export PATH; exec /bin/sh -c \\"$SSH_ORIGINAL_COMMAND\\""`;
      writeFileSync(
        join(dir, "authorized_keys"),
        `${readFileSync(join(dir, "authorized_keys"), "utf8")}${forced} ${readFileSync(`${key}.pub`, "utf8")}`,
      );
      addAlias(name, [`IdentityFile ${key}`]);
    },
    cleanHome() {
      for (const p of [
        ".claude",
        ".claude.json",
        ".config/braid",
        ".local/share/braid",
        ".local/state/braid",
        ".gitconfig",
      ])
        rmSync(join(user.home, p), { recursive: true, force: true });
      for (const e of readdirSync(user.home)) if (e.startsWith("release-")) rmSync(join(user.home, e), { force: true });
    },
    hostDir(name: string) {
      const d = join(user.home, name);
      rmSync(d, { recursive: true, force: true });
      mkdirSync(d, { recursive: true });
      spawnSync("chown", ["-R", `${user.uid}:${user.gid}`, d]);
      return d;
    },
    asHost(argv: string[], cwd?: string) {
      const r = spawnSync("runuser", ["-u", hostUser, "--", ...argv], {
        cwd: cwd ?? user.home,
        encoding: "utf8",
        env: { PATH: process.env.PATH ?? "/usr/bin:/bin", HOME: user.home, LC_ALL: "C" },
      });
      if (r.status !== 0) throw new Error(`${argv.join(" ")} as ${hostUser}: ${r.stderr}`);
      return r.stdout;
    },
    stop,
    start,
    async dispose() {
      await stop();
      endHostWatchers(user.home);
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
