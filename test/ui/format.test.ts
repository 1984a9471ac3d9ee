// One byte formatter, binary units: long for command output (rm, clean), short for board cells.
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { formatBytes } from "../../src/ui/format.js";

describe("formatBytes", () => {
  it("long form: binary units with IEC names", () => {
    assert.equal(formatBytes(512), "512 B");
    assert.equal(formatBytes(1536), "1.5 KiB");
    assert.equal(formatBytes(96_100_000), "91.6 MiB");
    assert.equal(formatBytes(3 * 1024 ** 3), "3.0 GiB");
  });

  it("short form: the board's cells, same units", () => {
    assert.equal(formatBytes(310 * 1024 * 1024, { short: true }), "310M");
    assert.equal(formatBytes(1536, { short: true }), "1.5K");
    assert.equal(formatBytes(900, { short: true }), "900B");
  });
});
