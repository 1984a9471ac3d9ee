// Port slots: disjoint blocks visible to the agents, a busy port skips its slot, slots are kept across
// stop/restart and reused after rm, bad ports/port_base are one-line errors.
import assert from "node:assert/strict";
import { writeFileSync } from "node:fs";
import { createServer, type Server } from "node:net";
import { join } from "node:path";
import { describe, it } from "node:test";
import { pickSlot } from "../../src/ports/ports.js";
import type { SessionRecord } from "../../src/project/state.js";
import { braid, isOneLineError } from "../helpers/env.js";
import { useRepo } from "../helpers/suite.js";
import { agentEnvOf, fakeAgentConfig, randomPortBase, statusJson } from "./fixture.js";

let busy: Server | undefined;

/** Whether nothing listens on these loopback ports right now. */
async function portsFree(ports: number[]): Promise<boolean> {
  for (const p of ports) {
    const ok = await new Promise<boolean>((res) => {
      const srv = createServer();
      srv.once("error", () => res(false));
      srv.listen(p, "127.0.0.1", () => srv.close(() => res(true)));
    });
    if (!ok) return false;
  }
  return true;
}

const rec = (name: string, slot: number, ports: number[]): SessionRecord =>
  ({ name, ext: { ports: { slot, ports } } }) as unknown as SessionRecord;

describe("pickSlot", () => {
  it("takes the lowest slot no session holds and whose ports are all free", async () => {
    const free = async () => true;
    assert.deepEqual(await pickSlot([], 3, 40000, free), { slot: 0, ports: [40000, 40001, 40002] });
    assert.deepEqual((await pickSlot([rec("a", 0, [40000, 40001, 40002])], 3, 40000, free)).slot, 1);
    // slot 1 is free again after its session went; slot 0 and 2 are held
    const held = [rec("a", 0, [40000, 40001, 40002]), rec("c", 2, [40006, 40007, 40008])];
    assert.equal((await pickSlot(held, 3, 40000, free)).slot, 1);
    // one busy port skips the whole slot
    assert.equal((await pickSlot([], 3, 40000, async (p) => p !== 40004)).slot, 0);
    assert.equal((await pickSlot([rec("a", 0, [40000, 40001, 40002])], 3, 40000, async (p) => p !== 40004)).slot, 2);
    // a block recorded under another `ports` setting still counts by its ports
    assert.equal((await pickSlot([rec("old", 7, [40003])], 3, 40000, free)).slot, 0);
    assert.equal((await pickSlot([rec("old", 7, [40001])], 3, 40000, free)).slot, 1);
  });
  it("fails with a one-line error when no slot is left", async () => {
    await assert.rejects(
      pickSlot([], 3, 65534, async () => true),
      /no free port slot/,
    );
  });
});

describe("ports per session (headless fake agent printing its env)", () => {
  const { sb, repo } = useRepo();
  const base = randomPortBase();
  const run = (args: string[]) => braid(sb, repo, args);
  const block = (slot: number) => [base + slot * 3, base + slot * 3 + 1, base + slot * 3 + 2];
  // Other programs on the machine (tests running beside this one, agents) may hold a port of any slot at any time,
  // which rightly skips that slot: expectations follow the slots braid reports and check the rules, not numbers.
  const slotOf = async (name: string) => Number((await agentEnvOf(join(sb.root, `app-${name}`))).BRAID_SLOT);
  const held = async () => (await statusJson(sb, repo)).map((s) => s.slot as number);
  let sa = -1;

  it("gives two sessions disjoint port blocks, visible to their agents", async () => {
    writeFileSync(
      join(repo, "braid.toml"),
      `${fakeAgentConfig(sb)}max_code_sessions = 8\nports = 3\nport_base = ${base}\n`,
    );
    for (const n of ["a", "b"]) assert.equal((await run(["start", n, "task"])).code, 0);
    const a = await agentEnvOf(join(sb.root, "app-a"));
    const b = await agentEnvOf(join(sb.root, "app-b"));
    sa = Number(a.BRAID_SLOT);
    const sbSlot = Number(b.BRAID_SLOT);
    assert.ok(sa >= 0 && sbSlot >= 0 && sbSlot !== sa, `two sessions, two slots: ${sa}, ${sbSlot}`);
    const [p0, p1, p2] = block(sa);
    assert.deepEqual(
      [a.BRAID_PORT, a.PORT, a.BRAID_PORT_1, a.BRAID_PORT_2, a.BRAID_PORT_3],
      [String(p0), String(p0), String(p1), String(p2), undefined],
    );
    assert.deepEqual([b.BRAID_PORT, b.BRAID_PORT_2], [String(block(sbSlot)[0]), String(block(sbSlot)[2])]);
    const st = await statusJson(sb, repo);
    assert.deepEqual(
      st.map((s) => [s.name, s.slot, s.ports]),
      [
        ["a", sa, block(sa)],
        ["b", sbSlot, block(sbSlot)],
      ],
    );
    const table = await run(["status"]);
    assert.match(table.stdout, new RegExp(`${p0}-${p2}`));
  });

  it("skips a slot whose port another process holds", async () => {
    const taken = new Set(await held());
    let next = 0;
    while (taken.has(next)) next++;
    busy = createServer();
    await new Promise<void>((r) => busy?.listen(block(next)[1], "127.0.0.1", () => r()));
    assert.equal((await run(["start", "c", "task"])).code, 0);
    const c = await slotOf("c");
    await new Promise((r) => busy?.close(r));
    assert.ok(c > next && !taken.has(c), `c skips slot ${next} (its port ${block(next)[1]} is held): got ${c}`);
  });

  it("keeps the slot across stop/restart and hands it out again after rm", async () => {
    assert.equal((await run(["stop", "a"])).code, 0);
    assert.equal((await run(["restart", "a"])).code, 0);
    assert.equal((await statusJson(sb, repo)).find((s) => s.name === "a")?.slot, sa);
    assert.equal((await run(["stop", "a"])).code, 0);
    const rm = await run(["rm", "a", "--force"]);
    assert.equal(rm.code, 0, rm.stderr);
    assert.equal((await run(["start", "d", "task"])).code, 0);
    const d = await slotOf("d");
    assert.ok(d <= sa || !(await portsFree(block(sa))), `d gets a's freed slot ${sa} (or a lower one): got ${d}`);
    // two braid commands at once never get the same slot
    const [e, f] = await Promise.all([run(["start", "e", "task"]), run(["start", "f", "task"])]);
    assert.equal(e.code + f.code, 0, e.stderr + f.stderr);
    const slots = await held();
    assert.equal(new Set(slots).size, slots.length, `slots must be distinct: ${slots}`);
    assert.equal(slots.length, 5);
    for (const n of ["b", "c", "d", "e", "f"]) await run(["stop", n]);
  });

  it("refuses ports that do not fit above port_base, and a port_base out of range, in one line", async () => {
    const agent = fakeAgentConfig(sb);
    writeFileSync(join(repo, "braid.toml"), `${agent}ports = 100\nport_base = 65500\n`);
    const big = await run(["status"]);
    assert.ok(isOneLineError(big) && /ports = 100 does not fit above port_base = 65500/.test(big.stderr), big.stderr);
    writeFileSync(join(repo, "braid.toml"), `${agent}ports = 2\nport_base = 80\n`);
    const low = await run(["status"]);
    assert.ok(isOneLineError(low) && /port_base/.test(low.stderr), low.stderr);
    writeFileSync(join(repo, "braid.toml"), `${agent}ports = 2\nport_base = ${base}\n`);
    const set = await run(["config", "set", "ports", "60000"]);
    assert.ok(isOneLineError(set) && /does not fit/.test(set.stderr), set.stderr);
  });
});
