// The one JSON-file reader: a value only when the file is there, whole, and of the expected shape.
import assert from "node:assert/strict";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, describe, it } from "node:test";
import { hasField, isObject, readJsonFile } from "../../src/infra/json.js";

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
});
