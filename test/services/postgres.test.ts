// docs/ports.md example 2 run as written against a real PostgreSQL 15 server started by the test (private port,
// socket dir in a temp dir, run as the `postgres` user because postgres refuses root): each session's setup
// creates its own database from a template, its agent sees its own DATABASE_URL, teardown drops it.
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { chmodSync, existsSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { createServer } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, describe, it } from "node:test";
import { braid, isOneLineError } from "../helpers/env.js";
import { useRepo } from "../helpers/suite.js";
import { agentEnvOf, docBlocks, fakeAgentConfig } from "./fixture.js";

const PG_BIN = "/usr/lib/postgresql/15/bin";
const available = existsSync(join(PG_BIN, "initdb"));

function freePort(): Promise<number> {
  return new Promise((resolve) => {
    const s = createServer();
    s.listen(0, "127.0.0.1", () => {
      const port = (s.address() as { port: number }).port;
      s.close(() => resolve(port));
    });
  });
}

/** Run a server-side program as `postgres` when we are root (initdb/postgres refuse root). */
function asPostgres(cmd: string, args: string[]): ReturnType<typeof spawnSync> {
  const argv = process.getuid?.() === 0 ? ["runuser", "-u", "postgres", "--", cmd, ...args] : [cmd, ...args];
  return spawnSync(argv[0] as string, argv.slice(1), { encoding: "utf8", cwd: "/" });
}

describe("a PostgreSQL database per session (docs/ports.md example 2)", {
  skip: !available && "PostgreSQL 15 is not installed",
}, () => {
  const { sb, repo } = useRepo();
  let dir = "";
  let port = 0;
  const pgEnv = () => ({ PGHOST: "127.0.0.1", PGPORT: String(port), PGUSER: "postgres" });
  const psql = (db: string, sql: string) =>
    spawnSync("psql", ["-X", "-qAt", "-d", db, "-c", sql], { encoding: "utf8", env: { ...process.env, ...pgEnv() } });
  const databases = () =>
    psql("postgres", "select datname from pg_database order by 1").stdout.split("\n").filter(Boolean);
  const run = (args: string[]) => braid(sb, repo, args);

  before(async () => {
    dir = mkdtempSync(join(tmpdir(), "braid-pg-"));
    chmodSync(dir, 0o777);
    if (process.getuid?.() === 0) spawnSync("chown", ["postgres", dir]);
    port = await freePort();
    const init = asPostgres(join(PG_BIN, "initdb"), [
      "-D",
      join(dir, "data"),
      "-U",
      "postgres",
      "--auth=trust",
      "-N",
      "-E",
      "UTF8",
    ]);
    assert.equal(init.status, 0, String(init.stderr));
    const start = asPostgres(join(PG_BIN, "pg_ctl"), [
      "-D",
      join(dir, "data"),
      "-l",
      join(dir, "server.log"),
      "-w",
      "-t",
      "120",
      "-o",
      `-p ${port} -k ${dir} -c listen_addresses=127.0.0.1 -c fsync=off`,
      "start",
    ]);
    assert.equal(start.status, 0, String(start.stderr) + String(start.stdout));
    const seed = spawnSync("createdb", ["app_template"], { encoding: "utf8", env: { ...process.env, ...pgEnv() } });
    assert.equal(seed.status, 0, seed.stderr);
    assert.equal(psql("app_template", "create table users (id int); insert into users values (42)").status, 0);
  });
  after(() => {
    if (dir) {
      asPostgres(join(PG_BIN, "pg_ctl"), ["-D", join(dir, "data"), "-m", "immediate", "-w", "stop"]);
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it("creates each session's database from the template in setup, shows it to the agent, drops it in teardown", async () => {
    const toml =
      docBlocks("## Example 2")
        .find((b) => b.startsWith("toml\n"))
        ?.slice(5) ?? "";
    assert.match(toml, /createdb -T app_template app_\{name\}/);
    writeFileSync(
      join(repo, "braid.toml"),
      `${fakeAgentConfig(sb)}ports = 1\n${toml.replaceAll("5432", String(port))}`,
    );
    const untrusted = await run(["new", "early"]);
    assert.equal(untrusted.code, 0, untrusted.stderr);
    assert.match(untrusted.stderr, /not trusted/);
    assert.ok(!databases().includes("app_early"), "untrusted setup never runs");
    const keep = await run(["rm", "early"]);
    // refused: the untrusted-keys warning, then the one-line error naming the fix
    assert.notEqual(keep.code, 0);
    assert.match(
      keep.stderr.trim().split("\n").at(-1) ?? "",
      /^braid: the teardown commands in braid.toml are not trusted.*--force/,
    );
    assert.equal((await run(["rm", "early", "--force"])).code, 0);
    assert.equal((await run(["trust"])).code, 0);

    for (const n of ["auth", "api"]) {
      const r = await run(["new", n]);
      assert.equal(r.code, 0, r.stderr);
      assert.equal((await run(["start", n, "task"])).code, 0);
    }
    assert.ok(databases().includes("app_auth") && databases().includes("app_api"), databases().join(","));
    const auth = await agentEnvOf(join(sb.root, "app-auth"));
    const api = await agentEnvOf(join(sb.root, "app-api"));
    assert.equal(auth.DATABASE_URL, `postgresql://postgres@127.0.0.1:${port}/app_auth`);
    assert.equal(api.DATABASE_URL, `postgresql://postgres@127.0.0.1:${port}/app_api`);
    // the agent's own URL reaches its own copy of the template
    const q = spawnSync("psql", ["-X", "-qAt", auth.DATABASE_URL as string, "-c", "select id from users"], {
      encoding: "utf8",
    });
    assert.equal(q.stdout.trim(), "42", q.stderr);

    await run(["stop", "auth"]);
    const rm = await run(["rm", "auth", "--force"]);
    assert.equal(rm.code, 0, rm.stderr);
    assert.match(rm.stdout, /ran 1 teardown command/);
    assert.ok(!databases().includes("app_auth"), "teardown dropped app_auth");
    assert.ok(databases().includes("app_api"), "api's database stays");
  });

  it("a failing teardown stops rm (nothing removed) and is reported but not blocking with --force", async () => {
    await run(["stop", "api"]);
    rmSync(join(sb.root, "app-api", "agent-env.json")); // the fake agent's only trace: the worktree is clean
    const toml = `${fakeAgentConfig(sb)}ports = 1\nteardown = ["dropdb app_{name}", "false"]\n[env]\nPGHOST = "127.0.0.1"\nPGPORT = "${port}"\nPGUSER = "postgres"\n`;
    writeFileSync(join(repo, "braid.toml"), toml);
    const notTrusted = await run(["rm", "api"]);
    assert.notEqual(notTrusted.code, 0);
    assert.match(
      notTrusted.stderr.trim().split("\n").at(-1) ?? "",
      /^braid: the teardown commands in braid.toml are not trusted/,
    );
    assert.ok(existsSync(join(sb.root, "app-api")));
    assert.equal((await run(["trust"])).code, 0);
    const refused = await run(["rm", "api"]);
    assert.ok(
      isOneLineError(refused) && /teardown command `false` of "api" failed \(exit 1\)/.test(refused.stderr),
      refused.stderr,
    );
    assert.ok(existsSync(join(sb.root, "app-api")), "the worktree stays when teardown fails");
    const forced = await run(["rm", "api", "--force", "--json"]);
    assert.equal(forced.code, 0, forced.stderr);
    const j = JSON.parse(forced.stdout) as { removed: boolean; teardown: { failed: { command: string } | null } };
    // the refused run had dropped app_api already, so this time the first command fails: reported, not blocking
    assert.deepEqual([j.removed, j.teardown.failed?.command], [true, "dropdb app_api"]);
    assert.ok(!databases().includes("app_api"));
    assert.ok(!existsSync(join(sb.root, "app-api")));
  });
});
