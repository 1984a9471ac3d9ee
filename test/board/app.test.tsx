import assert from "node:assert/strict";
import { afterEach, test } from "node:test";
import { stripVTControlCharacters } from "node:util";
import { cleanup, render } from "ink-testing-library";
import type { SessionType } from "../../src/project/state.js";
import { App, type BoardActions, type BoardExit, type BoardSource } from "../../src/ui/board/App.js";
import type { BoardData } from "../../src/ui/board/model.js";
import { boardData, NOW, VIEWS } from "../helpers/board-fixtures.js";

afterEach(() => cleanup());

const tick = (ms = 30) => new Promise((r) => setTimeout(r, ms));
const KEY = { right: "\x1b[C", left: "\x1b[D", down: "\x1b[B", enter: "\r", esc: "\x1b" };

class FakeSource implements BoardSource {
  data: BoardData = boardData();
  listeners = new Set<(d: BoardData) => void>();
  pokes = 0;
  current() {
    return this.data;
  }
  subscribe(l: (d: BoardData) => void) {
    this.listeners.add(l);
    return () => this.listeners.delete(l);
  }
  poke() {
    this.pokes++;
  }
  push(d: BoardData) {
    this.data = d;
    for (const l of this.listeners) l(d);
  }
}

function fakeActions(calls: string[]): BoardActions {
  return {
    create: async (n: string, t: SessionType, task: string) => {
      calls.push(`create ${n} ${t} ${task}`);
      return `created ${n}`;
    },
    send: async (s, text) => {
      calls.push(`send ${s} ${text}`);
      return `sent to ${s}`;
    },
    merge: async (s) => {
      calls.push(`merge ${s}`);
      return `✔ merged ${s} into main`;
    },
    stop: async (s) => {
      calls.push(`stop ${s}`);
      return `stopped ${s}`;
    },
    postNote: async (text, to) => {
      calls.push(`note ${to ?? "all"} ${text}`);
      return "posted";
    },
  };
}

function mount(opts: { bell?: boolean } = {}) {
  const source = new FakeSource();
  const calls: string[] = [];
  const exits: Array<{ e: BoardExit; sel: string | null }> = [];
  const r = render(
    <App
      source={source}
      actions={fakeActions(calls)}
      onExit={(e, sel) => exits.push({ e, sel })}
      size={{ columns: 80, rows: 24 }}
      clock={() => NOW}
      bell={opts.bell}
    />,
  );
  const type = async (...keys: string[]) => {
    for (const k of keys) {
      r.stdin.write(k);
      await tick();
    }
  };
  const frame = () => stripVTControlCharacters(r.lastFrame() ?? "");
  /** Rendering is throttled (and this machine is busy): wait up to 5 s for the frame to show `re`. */
  const see = async (re: RegExp) => {
    const t0 = Date.now();
    while (!re.test(frame()) && Date.now() - t0 < 5000) await tick(20);
    assert.match(frame(), re);
  };
  const until = async (ok: () => boolean) => {
    const t0 = Date.now();
    while (!ok() && Date.now() - t0 < 5000) await tick(20);
  };
  return { r, source, calls, exits, type, frame, see, until };
}

/** Mounted and listening: keys written before ink's input effects ran would be lost. */
async function mountReady(opts: { bell?: boolean } = {}) {
  const b = mount(opts);
  const stdin = b.r.stdin as unknown as NodeJS.EventEmitter;
  await b.until(() => stdin.listenerCount("readable") > 0);
  await b.see(/braid · myapp/);
  return b;
}

test("arrows move the selection; Enter exits to attach the selected session; q quits", async () => {
  const b = await mountReady();
  await tick();
  await b.see(/▶ 1 auth/);
  await b.type(KEY.right, KEY.right, KEY.left);
  await b.see(/▶ 2 billing/);
  await b.type(KEY.down);
  await b.see(/▶ 3 search/);
  await b.type(KEY.enter);
  await b.until(() => b.exits.length > 0);
  assert.deepEqual(b.exits[0], { e: { kind: "attach", session: "search" }, sel: "search" });
  b.r.unmount();

  const q = await mountReady();
  await q.type("q");
  await q.until(() => q.exits.length > 0);
  assert.deepEqual(q.exits[0]?.e, { kind: "quit" });
  q.r.unmount();
});

test("m asks, y merges the selected session and shows the outcome; x then n cancels the stop", async () => {
  const b = await mountReady();
  await b.type(KEY.right, "m");
  await b.see(/merge billing into main via the merge train\? \(y\/n\)/);
  await b.type("y");
  await b.until(() => b.calls.length > 0);
  assert.deepEqual(b.calls, ["merge billing"]);
  await b.see(/✔ merged billing into main/);
  assert.ok(b.source.pokes > 0, "the board refreshes after an action");
  await b.type("x", "n");
  assert.deepEqual(b.calls, ["merge billing"], "stop was not called");
  await b.see(/cancelled/);
  b.r.unmount();
});

test("n prompts name, type and task inline; s sends a line; o then p posts a note; esc cancels a prompt", async () => {
  const b = await mountReady();
  await b.type("n", ..."api", KEY.enter, ..."res", KEY.enter);
  await b.see(/api · res · task:/);
  await b.type(..."map the cache", KEY.enter);
  await b.until(() => b.calls.length > 0);
  assert.deepEqual(b.calls, ["create api research map the cache"]);
  await b.type("s", ..."yes", KEY.enter);
  await b.until(() => b.calls.length > 1);
  assert.equal(b.calls[1], "send auth yes");
  await b.type("o");
  await b.see(/Notes \(1 unread\)/);
  await b.type("p", ..."billing", KEY.enter, ..."rebase please", KEY.enter);
  await b.until(() => b.calls.length > 2);
  assert.equal(b.calls[2], "note billing rebase please");
  await b.type("s", "a", KEY.esc);
  // a lone ESC is only known to be ESC once no sequence follows: wait for the prompt to close
  await b.until(() => !b.frame().includes("send to auth:"));
  assert.ok(!b.frame().includes("send to auth:"), "esc closed the prompt");
  await tick(50);
  assert.equal(b.calls.length, 3, "esc sent nothing");
  await b.type("c");
  await b.see(/Conflict matrix/);
  await b.type(KEY.esc);
  await b.see(/▶ 1 auth/);
  b.r.unmount();
});

test("an unknown type in the new-session prompt is refused with the choices", async () => {
  const b = await mountReady();
  await b.type("n", ..."api", KEY.enter, ..."banana", KEY.enter, ..."t", KEY.enter);
  await b.see(/unknown type "banana"/);
  assert.deepEqual(b.calls, []);
  b.r.unmount();
});

test("pushed data re-renders; selection follows the session by name; the bell rings when one starts waiting", async () => {
  const b = await mountReady({ bell: true });
  await tick();
  await b.type(KEY.right, KEY.right); // search
  const rings = () => b.r.stdout.frames.filter((f) => f === "\x07").length;
  assert.equal(rings(), 0, "already-waiting sessions do not ring on open");
  const views = VIEWS.map((v) =>
    v.name === "search" ? { ...v, state: "waiting" as const, since: new Date(NOW).toISOString() } : v,
  );
  // a new session is inserted first: the selection must stay on "search"
  b.source.push(boardData({ views: [{ ...VIEWS[0], order: 0, name: "zero" } as (typeof VIEWS)[0], ...views] }));
  await b.see(/2 waiting for you/);
  await b.see(/▶ 3 search/);
  await b.until(() => rings() > 0);
  assert.equal(rings(), 1);
  b.r.unmount();
});

test("a pasted line with its Enter in one chunk is submitted; the next keys drive the board again", async () => {
  const b = await mountReady();
  await b.type("s", "please rebase on main\r");
  await b.until(() => b.calls.length > 0);
  assert.deepEqual(b.calls, ["send auth please rebase on main"]);
  await b.until(() => !b.frame().includes("send to auth:"));
  // a paste filling several fields at once (Enter between them), bracketed-paste markers included
  await b.type("n", "\x1b[200~api\rresearch\r\n\x1b[201~", "map the cache\r");
  await b.until(() => b.calls.length > 1);
  assert.equal(b.calls[1], "create api research map the cache");
  await b.type(KEY.right);
  await b.see(/▶ 2 billing/);
  b.r.unmount();
});
