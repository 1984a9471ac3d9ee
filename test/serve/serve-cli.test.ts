// `braid serve` as a command: bad flags are one-line errors, a busy port names --port, a non-loopback bind
// warns, and the server says where it runs only while it runs. No browser, no agents.
import assert from "node:assert/strict";
import { spawn } from "node:child_process";
import { existsSync, readFileSync } from "node:fs";
import { createServer } from "node:net";
import { join } from "node:path";
import { describe, it } from "node:test";
import { BRAID_BIN, braid, isOneLineError } from "../helpers/env.js";
import { useRepo } from "../helpers/suite.js";

describe("braid serve (command)", () => {
  const { sb, repo } = useRepo();

  it("rejects a bad port and names the fix", async () => {
    const r = await braid(sb, repo, ["serve", "--port", "http"]);
    assert.ok(isOneLineError(r), r.stderr);
    assert.equal(r.code, 2);
    assert.match(r.stderr, /--port must be a number from 0 to 65535/);
  });

  it("a port in use is a one-line error naming --port", async () => {
    const blocker = createServer();
    await new Promise<void>((res) => blocker.listen(0, "127.0.0.1", () => res()));
    const port = (blocker.address() as { port: number }).port;
    try {
      const r = await braid(sb, repo, ["serve", "--port", String(port)]);
      assert.ok(isOneLineError(r), r.stderr);
      assert.match(r.stderr, new RegExp(`port ${port} is already in use — pass another --port`));
    } finally {
      blocker.close();
    }
  });

  it("an address that is not this machine's is one error line, with no warning before it", async () => {
    const r = await braid(sb, repo, ["serve", "--port", "0", "--bind", "192.0.2.7"]); // TEST-NET-1
    assert.ok(isOneLineError(r), r.stderr);
    assert.match(
      r.stderr,
      /^braid: cannot listen on 192\.0\.2\.7: not an address of this machine — use --bind 127\.0\.0\.1$/m,
    );
  });

  it("warns for a non-loopback bind, records where it runs, and forgets it on SIGTERM", async () => {
    const child = spawn(process.execPath, [BRAID_BIN, "serve", "--port", "0", "--bind", "0.0.0.0"], {
      cwd: repo,
      env: sb.env,
    });
    let out = "";
    let err = "";
    child.stdout.on("data", (d) => {
      out += d;
    });
    child.stderr.on("data", (d) => {
      err += d;
    });
    const deadline = Date.now() + 60_000;
    while (!/token=/.test(out) && Date.now() < deadline) await new Promise((r) => setTimeout(r, 100));
    const info = join(repo, ".git", "braid", "serve", "server.json");
    try {
      assert.match(out, /^http:\/\/127\.0\.0\.1:\d+\/\?token=[\w-]{40,}\n$/);
      assert.match(err, /warning: serving on 0\.0\.0\.0: anyone who can reach it/);
      const rec = JSON.parse(readFileSync(info, "utf8")) as { url: string; pid: number };
      assert.equal(rec.pid, child.pid);
      assert.equal(out.startsWith(rec.url), true);
      assert.ok(!readFileSync(info, "utf8").includes("token"), "the address file carries no token");
    } finally {
      const exited = new Promise<number | null>((r) => child.on("exit", (code) => r(code)));
      child.kill("SIGTERM");
      assert.equal(await exited, 0);
    }
    assert.equal(existsSync(info), false);
  });
});
