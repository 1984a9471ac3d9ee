// The one JSON-file reader: a value only when the file is there, whole, and of the expected shape.
import assert from "node:assert/strict";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, describe, it } from "node:test";
import { BraidError } from "../../src/infra/errors.js";
import { hasField, isObject, readJsonFile, readStore } from "../../src/infra/json.js";

describe("readJsonFile", () => {
  const dir = mkdtempSync(join(tmpdir(), "braid-json-"));
  after(() => rmSync(dir, { recursive: true, force: true }));
  const file = (name: string, text: string) => {
    const p = join(dir, name);
    writeFileSync(p, text);
    return p;
  };
  const isExit = hasField<{ at: string }>("at", "string");

  it("reads a well-formed file", () => {
    assert.deepEqual(readJsonFile(file("ok.json", '{"at":"now","code":0}'), isExit), { at: "now", code: 0 });
  });

  it("missing, half-written and wrongly shaped files read as null", () => {
    assert.equal(readJsonFile(join(dir, "missing.json"), isExit), null);
    assert.equal(readJsonFile(file("half.json", '{"at":"no'), isExit), null);
    assert.equal(readJsonFile(file("shape.json", '{"at":3}'), isExit), null);
    assert.equal(readJsonFile(file("null.json", "null"), isExit), null);
    assert.equal(readJsonFile(file("array.json", "[1]"), isObject), null, "an array is not an object");
  });

  it("a null field does not pass an object check", () => {
    assert.equal(readJsonFile(file("nullfield.json", '{"pairs":null}'), hasField("pairs", "object")), null);
  });

  it("a user's store: missing is empty, a wrong file is the given error, never replaced", () => {
    type Store = { version: 1; hosts: Record<string, unknown> };
    const empty = (): Store => ({ version: 1, hosts: {} });
    const bad = new BraidError("not a hosts file", "fix it");
    assert.deepEqual(readStore<Store>(join(dir, "none.json"), "hosts", empty, bad), empty());
    const ok = file("store.json", '{"version":1,"hosts":{"a":{}}}');
    assert.deepEqual(readStore<Store>(ok, "hosts", empty, bad), { version: 1, hosts: { a: {} } });
    for (const [name, text] of [
      ["v2.json", '{"version":2,"hosts":{}}'],
      ["list.json", '{"version":1,"hosts":[]}'],
      ["cut.json", '{"version":1,"ho'],
    ] as const)
      assert.throws(() => readStore<Store>(file(name, text), "hosts", empty, bad), /not a hosts file/);
  });
});
