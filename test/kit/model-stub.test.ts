// The model stub on its own (plain HTTP, no Claude): wire format, routing, side requests, recording.
import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import {
  afterTool,
  barrier,
  firstUserText,
  gate,
  type ModelStub,
  maxOverlap,
  promptOf,
  requestContains,
  type StubRequest,
  startModelStub,
  toolResults,
  userTexts,
} from "../helpers/model-stub.js";

const TOOLS = [{ name: "Write", description: "w", input_schema: { type: "object" } }];

function body(opts: { cwd?: string; prompt?: string; tools?: unknown[]; stream?: boolean; messages?: unknown[] }) {
  return {
    model: "claude-test",
    max_tokens: 100,
    stream: opts.stream ?? false,
    system: [
      { type: "text", text: `You are Claude.\nWorking directory: ${opts.cwd ?? "/nowhere"}\nIs a git repo: no` },
    ],
    tools: opts.tools ?? TOOLS,
    messages: opts.messages ?? [{ role: "user", content: [{ type: "text", text: opts.prompt ?? "hello" }] }],
  };
}

async function post(stub: ModelStub, b: unknown, path = "/v1/messages?beta=true") {
  const res = await fetch(stub.url + path, {
    method: "POST",
    headers: { "content-type": "application/json", "x-api-key": "k" },
    body: JSON.stringify(b),
  });
  return { status: res.status, type: res.headers.get("content-type") ?? "", text: await res.text() };
}

/** Parse an SSE body into [event, data] pairs. */
function sse(text: string): [string, { [k: string]: unknown }][] {
  return text
    .trim()
    .split("\n\n")
    .map((chunk) => {
      const ev = /^event: (.+)$/m.exec(chunk)?.[1] ?? "";
      const data = JSON.parse(/^data: (.+)$/m.exec(chunk)?.[1] ?? "null");
      return [ev, data];
    });
}

describe("model stub", () => {
  let stub: ModelStub;
  before(async () => {
    stub = await startModelStub();
  });
  after(() => stub.stop());

  it("answers HEAD / and count_tokens, and unknown paths with well-formed JSON", async () => {
    assert.equal((await fetch(stub.url, { method: "HEAD" })).status, 200);
    const ct = await post(stub, body({}), "/v1/messages/count_tokens?beta=true");
    assert.equal(ct.status, 200);
    assert.ok(JSON.parse(ct.text).input_tokens > 0);
    const other = await fetch(`${stub.url}/v1/models`);
    assert.equal(other.status, 200);
    assert.deepEqual(await other.json(), { data: [], has_more: false });
    assert.deepEqual(
      stub.requests.slice(-3).map((r) => r.kind),
      ["other", "count_tokens", "other"],
    );
  });

  it("streams text and tool_use turns as SSE with the right stop reasons and usage", async () => {
    stub.scriptForCwd("/w/stream", [
      { text: "writing", toolUse: { name: "Write", input: { file_path: "/w/stream/a.txt", content: "x" } } },
      { text: "done", usage: { input_tokens: 111, output_tokens: 22 } },
    ]);
    const r1 = await post(stub, body({ cwd: "/w/stream", stream: true }));
    assert.match(r1.type, /text\/event-stream/);
    const ev1 = sse(r1.text);
    assert.deepEqual(
      ev1.map(([e]) => e),
      [
        "message_start",
        "content_block_start",
        "content_block_delta",
        "content_block_stop",
        "content_block_start",
        "content_block_delta",
        "content_block_stop",
        "message_delta",
        "message_stop",
      ],
    );
    const toolStart = ev1[4]![1].content_block as { type: string; name: string; id: string };
    assert.equal(toolStart.type, "tool_use");
    assert.equal(toolStart.name, "Write");
    assert.match(toolStart.id, /^toolu_/);
    const delta = ev1[5]![1].delta as { type: string; partial_json: string };
    assert.equal(delta.type, "input_json_delta");
    assert.deepEqual(JSON.parse(delta.partial_json), { file_path: "/w/stream/a.txt", content: "x" });
    assert.equal((ev1[7]![1].delta as { stop_reason: string }).stop_reason, "tool_use");

    const r2 = await post(stub, body({ cwd: "/w/stream", stream: true }));
    const ev2 = sse(r2.text);
    assert.equal((ev2[2]![1].delta as { text: string }).text, "done");
    const md = ev2.find(([e]) => e === "message_delta")![1];
    assert.equal((md.delta as { stop_reason: string }).stop_reason, "end_turn");
    assert.equal((md.usage as { output_tokens: number }).output_tokens, 22);
    const ms = ev2[0]![1].message as { usage: { input_tokens: number } };
    assert.equal(ms.usage.input_tokens, 111);
  });

  it("replies with plain JSON when stream is false, and the script's fallback once turns run out", async () => {
    stub.scriptForCwd("/w/json", [{ text: "first" }], "json");
    const a = JSON.parse((await post(stub, body({ cwd: "/w/json" }))).text);
    assert.equal(a.type, "message");
    assert.deepEqual(a.content, [{ type: "text", text: "first" }]);
    assert.equal(a.stop_reason, "end_turn");
    const b = JSON.parse((await post(stub, body({ cwd: "/w/json" }))).text);
    assert.deepEqual(b.content, [{ type: "text", text: "OK." }]);
    assert.equal(stub.mainRequests({ script: "json" }).length, 2);
  });

  it("routes concurrent conversations by cwd and by marker; side requests never consume turns", async () => {
    stub.scriptForCwd("/w/a", [{ text: "A1" }, { text: "A2" }]);
    stub.scriptForMarker("[[task-b]]", [{ text: "B1" }]);
    const text = async (b: unknown) => JSON.parse((await post(stub, b)).text).content[0].text;
    // A side request (no tools: title/summary/quota probes) from conversation A.
    assert.equal(await text(body({ cwd: "/w/a", tools: [] })), "Stub session");
    assert.equal(await text(body({ cwd: "/w/b", prompt: "do it [[task-b]]" })), "B1");
    assert.equal(await text(body({ cwd: "/w/a" })), "A1");
    assert.equal(await text(body({ cwd: "/w/a" })), "A2");
    assert.equal(await text(body({ cwd: "/w/unknown" })), "OK.");
    const side = stub.requests.filter((r) => r.kind === "side");
    assert.equal(side.length, 1);
    assert.equal(side[0]!.cwd, "/w/a");
  });

  it("holds a reply for delayMs and records received/finished times", async () => {
    stub.scriptForCwd("/w/slow", [{ text: "slow", delayMs: 400 }]);
    const t0 = Date.now();
    const pending = post(stub, body({ cwd: "/w/slow" }));
    const seen = await stub.waitForRequest((r) => r.cwd === "/w/slow");
    assert.equal(seen.finishedAt, undefined, "still held while the delay runs");
    await pending;
    assert.ok(Date.now() - t0 >= 390);
    await new Promise((r) => setTimeout(r, 20));
    assert.ok(seen.finishedAt! - seen.receivedAt >= 390);
  });

  it("holds a reply until the test opens its gate", async () => {
    const g = gate();
    stub.scriptForCwd("/w/gate", [{ text: "released", holdUntil: g.promise }]);
    const pending = post(stub, body({ cwd: "/w/gate" }));
    const seen = await stub.waitForRequest((r) => r.cwd === "/w/gate");
    await new Promise((r) => setTimeout(r, 300));
    assert.equal(seen.finishedAt, undefined, "still held");
    g.open();
    assert.equal(JSON.parse((await pending).text).content[0].text, "released");
  });

  it("sends scripted HTTP errors", async () => {
    stub.scriptForCwd("/w/err", [{ httpError: { status: 529, type: "overloaded_error", message: "busy" } }]);
    const r = await post(stub, body({ cwd: "/w/err" }));
    assert.equal(r.status, 529);
    assert.equal(JSON.parse(r.text).error.type, "overloaded_error");
  });

  it("responder fallback, tool_result and text inspection helpers", async () => {
    const s2 = await startModelStub({ responder: (req) => ({ text: `echo:${firstUserText(req.body)}` }) });
    try {
      const messages = [
        { role: "user", content: "first <system-reminder>INJECTED-CTX</system-reminder>" },
        { role: "assistant", content: [{ type: "tool_use", id: "toolu_1", name: "Bash", input: {} }] },
        {
          role: "user",
          content: [{ type: "tool_result", tool_use_id: "toolu_1", is_error: true, content: "denied: read-only" }],
        },
      ];
      const r = JSON.parse((await post(s2, body({ messages }))).text);
      assert.match(r.content[0].text, /^echo:first/);
      const req = s2.requests.at(-1)!;
      assert.deepEqual(toolResults(req), [{ toolUseId: "toolu_1", isError: true, text: "denied: read-only" }]);
      assert.ok(requestContains(req, "INJECTED-CTX"));
      assert.ok(requestContains(req, /Working directory: \/nowhere/));
      assert.ok(!requestContains(req, "not-there"));
    } finally {
      await s2.stop();
    }
  });

  it("answers `structured` through StructuredOutput when offered, else as JSON text", async () => {
    const answer = { verdict: "PASS" };
    stub.scriptForCwd("/w/schema", [{ structured: answer }, { structured: answer }, { structured: answer }]);
    const so = [{ name: "StructuredOutput", description: "s", input_schema: { type: "object" } }];
    const asked = JSON.parse((await post(stub, body({ cwd: "/w/schema", tools: [...TOOLS, ...so] }))).text);
    assert.deepEqual(asked.content[0].name, "StructuredOutput");
    assert.deepEqual(asked.content[0].input, answer);
    assert.equal(asked.stop_reason, "tool_use");
    const messages = [
      { role: "user", content: "judge it" },
      { role: "assistant", content: [{ type: "tool_use", id: "toolu_9", name: "StructuredOutput", input: answer }] },
      { role: "user", content: [{ type: "tool_result", tool_use_id: "toolu_9", content: "ok" }] },
    ];
    const after = JSON.parse((await post(stub, body({ cwd: "/w/schema", tools: [...TOOLS, ...so], messages }))).text);
    assert.deepEqual(after.content, [{ type: "text", text: "done" }]);
    const plain = JSON.parse((await post(stub, body({ cwd: "/w/schema" }))).text);
    assert.deepEqual(JSON.parse(plain.content[0].text), answer);
  });

  it("user texts leave injected context out; a barrier makes requests overlap, and maxOverlap sees it", async () => {
    const meet = barrier(2, 5_000);
    const s2 = await startModelStub({ responder: () => ({ text: "met", holdUntil: meet() }) });
    try {
      const messages = [
        {
          role: "user",
          content: [
            { type: "text", text: "<system-reminder>ctx</system-reminder>" },
            { type: "text", text: "go" },
          ],
        },
      ];
      const first = post(s2, body({ messages }));
      await s2.waitForRequest((r) => r.seq === 1);
      await new Promise((r) => setTimeout(r, 200));
      assert.equal(s2.answered().length, 0, "the first request waits for a second one");
      await Promise.all([first, post(s2, body({ messages }))]);
      await new Promise((r) => setTimeout(r, 20));
      const done = s2.answered();
      assert.equal(done.length, 2);
      assert.deepEqual(userTexts(done[0]!), ["go"]);
      assert.equal(promptOf(done[0]!), "go");
      assert.equal(afterTool(done[0]!), false);
      assert.equal(
        maxOverlap(done, () => true),
        2,
      );
      assert.equal(s2.answered(1).length, 1, "answered(seq) keeps only later requests");
      const [a, b] = done as [StubRequest, StubRequest];
      const sequential = [
        { ...a, receivedAt: 0, finishedAt: 1 },
        { ...b, receivedAt: 1, finishedAt: 2 },
      ];
      assert.equal(
        maxOverlap(sequential, () => true),
        1,
        "back-to-back requests do not overlap",
      );
    } finally {
      await s2.stop();
    }
  });
});
