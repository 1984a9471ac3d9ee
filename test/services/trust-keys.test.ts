// The trust gate over setup, teardown, services and env: a trust given to a setup-only repo stays valid,
// adding a service needs a new `braid trust`, and an untrusted repo's env never reaches the agent.
import assert from "node:assert/strict";
import { createHash } from "node:crypto";
import { existsSync, mkdirSync, realpathSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { describe, it } from "node:test";
import { braid } from "../helpers/env.js";
import { useRepo } from "../helpers/suite.js";
import { agentEnvOf, fakeAgentConfig } from "./fixture.js";

describe("trust over setup, teardown, services and env", () => {
  const { sb, repo } = useRepo();
  const run = (args: string[]) => braid(sb, repo, args);

  it("asks again for a trust from braid 0.1 and when services or env arrive, and withholds untrusted env", async () => {
    const agent = fakeAgentConfig(sb);
    writeFileSync(join(repo, "braid.toml"), `${agent}setup = ["touch made"]\n`);
    // a trust entry as braid wrote it before services existed: the sha256 of the setup list
    const home = join(sb.home, ".local", "share", "braid");
    mkdirSync(home, { recursive: true });
    const commonDir = realpathSync(join(repo, ".git"));
    const hash = createHash("sha256")
      .update(JSON.stringify(["touch made"]))
      .digest("hex");
    writeFileSync(
      join(home, "trust.json"),
      JSON.stringify({
        version: 1,
        entries: { [commonDir]: { repo: commonDir, hash, commands: ["touch made"], trustedAt: "x" } },
      }),
    );
    // braid 0.1's trust hashed the setup list alone: it named no repository identity, so it is asked again
    const one = await run(["new", "one"]);
    assert.equal(one.code, 0, one.stderr);
    assert.ok(!existsSync(join(sb.root, "app-one", "made")), "a trust without the repository's identity asks again");
    assert.match(one.stderr, /not trusted/);

    writeFileSync(
      join(repo, "braid.toml"),
      `${agent}setup = ["touch made"]\nenv = { SECRET_URL = "http://x/{name}" }\n[services.web]\ncommand = ["node", "-e", "setInterval(()=>{},1000)"]\n`,
    );
    const two = await run(["new", "two"]);
    assert.equal(two.code, 0, two.stderr);
    assert.ok(!existsSync(join(sb.root, "app-two", "made")), "a changed set of gated keys needs a new trust");
    assert.match(two.stderr, /the services from braid.toml will not run until `braid trust`/);
    assert.match(two.stderr, /left out the env values/);
    assert.equal((await run(["start", "two", "task"])).code, 0);
    assert.equal((await agentEnvOf(join(sb.root, "app-two"))).SECRET_URL, undefined, "untrusted env is withheld");
    await run(["stop", "two"]);

    const t = await run(["trust", "--json"]);
    assert.equal(t.code, 0, t.stderr);
    const trusted = JSON.parse(t.stdout) as { commands: string[]; keys: string[] };
    assert.deepEqual([...trusted.keys].sort(), ["env", "services", "setup"]);
    for (const c of ["touch made", "setInterval(()=>{},1000)", "http://x/{name}"])
      assert.ok(trusted.commands.includes(c), `the trust lists ${c} for review: ${trusted.commands}`);
    assert.equal((await run(["new", "three"])).code, 0);
    assert.equal((await run(["start", "three", "task"])).code, 0);
    assert.equal((await agentEnvOf(join(sb.root, "app-three"))).SECRET_URL, "http://x/three");
    for (const n of ["three"]) await run(["stop", n]);
  });
});
