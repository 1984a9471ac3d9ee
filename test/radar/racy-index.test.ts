// The radar's snapshot sees a same-size rewrite made within the same second as the checkout. git trusts an
// index entry's stat data only for files older than the index file; braid's private copy of the index must keep
// the real index's timestamps, or such an edit (found by `braid demo`: "Hello Ada" → "HELLO ADA") is missed.
import assert from "node:assert/strict";
import { statSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { describe, it } from "node:test";
import { radarSnapshot } from "../../src/radar/snapshot.js";
import { gitIn } from "../helpers/env.js";
import { useSandbox } from "../helpers/suite.js";

describe("radar snapshot and racy index entries", () => {
  const sb = useSandbox();

  it("sees a same-size edit made in the second of the checkout", async () => {
    // Write, commit and rewrite within one second (retry on a second boundary), so the index entry's stat
    // data (seconds) matches the edited file exactly.
    let wt = "";
    for (let attempt = 0; attempt < 10; attempt++) {
      wt = join(sb.root, `wt-${attempt}`);
      const t = Math.floor(Date.now() / 1000);
      gitIn(sb, sb.root, "init", "-q", wt);
      writeFileSync(join(wt, "greet.txt"), "Hello Ada\n");
      gitIn(sb, wt, "add", "-A");
      gitIn(sb, wt, "commit", "-q", "-m", "initial");
      writeFileSync(join(wt, "greet.txt"), "HELLO ADA\n");
      const st = statSync(join(wt, "greet.txt"));
      if (Math.floor(st.mtimeMs / 1000) === t && Math.floor(st.ctimeMs / 1000) === t) break;
    }
    // the copy is taken a second later, as the radar's would be
    await new Promise((r) => setTimeout(r, 1100));
    const snap = await radarSnapshot(wt, { tmpDir: join(sb.root, "radar-tmp") });
    assert.equal(snap.dirty, true, "the edit is seen");
    assert.equal(gitIn(sb, wt, "show", `${snap.commit}:greet.txt`), "HELLO ADA");
  });
});
