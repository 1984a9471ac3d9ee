/** Pure parts of the remote-host code: quoting for the host's shell, --env pairs, check verdicts. */
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { describe, test } from "node:test";
import { checkProblem, type HostCheck } from "../../src/hosts/check.js";
import { parseEnvPairs, validateHostName } from "../../src/hosts/registry.js";
import { shellQuote } from "../../src/hosts/ssh.js";

describe("hosts: pure parts", () => {
  test("shellQuote survives sh for hostile text", () => {
    const nasty = ["plain", "a b", "it's", "$(rm -rf ~)", "`x`", "a\nb", "--flag", "", "\\", '"q"', "*"];
    const r = spawnSync("sh", ["-c", `printf '%s\\0' ${nasty.map(shellQuote).join(" ")}`], { encoding: "utf8" });
    assert.deepEqual(r.stdout.split("\0").slice(0, -1), nasty);
  });

  test("--env pairs: name=value, values may hold '='; bad names are one-line errors", () => {
    assert.deepEqual(parseEnvPairs(["A=1", "B_2=x=y", "C="]), { A: "1", B_2: "x=y", C: "" });
    assert.throws(() => parseEnvPairs(["=v"]), /bad --env/);
    assert.throws(() => parseEnvPairs(["1A=v"]), /bad --env/);
    assert.throws(() => parseEnvPairs(["NOVALUE"]), /bad --env/);
  });

  test("host names", () => {
    validateHostName("build-box.1");
    assert.throws(() => validateHostName("../x"), /bad host name/);
    assert.throws(() => validateHostName("-x"), /bad host name/);
  });

  test("checkProblem names the first required thing missing, ignores optional ones", () => {
    const c: HostCheck = {
      host: "h",
      target: "t",
      dir: "/d",
      ok: false,
      items: [
        { name: "git", ok: true, required: true, found: "git version 2.39", fix: null },
        { name: "agent", ok: false, required: false, found: null, fix: "install claude" },
        { name: "node", ok: false, required: true, found: "v18.0.0", fix: "node 18 is too old" },
      ],
    };
    assert.match(checkProblem(c)?.oneLine() ?? "", /^host h has node v18.0.0 — node 18 is too old$/);
    assert.equal(checkProblem({ ...c, items: c.items.slice(0, 2) }), null);
  });
});
