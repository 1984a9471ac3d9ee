/**
 * A lock contender for the fault suite: takes fsutil's lock on argv[2] `rounds` times; inside, it claims a
 * marker file exclusively (two holders at once would collide on it) and bumps a counter file.
 */
import { closeSync, openSync, readFileSync, unlinkSync, writeFileSync } from "node:fs";
import { withLock } from "../../src/infra/fsutil.js";

const [file, roundsArg] = process.argv.slice(2);
const rounds = Number(roundsArg ?? 10);
let overlaps = 0;
for (let i = 0; i < rounds; i++) {
  await withLock(
    file as string,
    () => {
      try {
        closeSync(openSync(`${file}.inside`, "wx"));
      } catch {
        overlaps++;
        return;
      }
      const n = Number(readFileSync(file as string, "utf8") || "0");
      writeFileSync(file as string, String(n + 1));
      unlinkSync(`${file}.inside`);
    },
    { timeoutMs: 60_000, maxRetryMs: 20 },
  );
}
process.stdout.write(String(overlaps));
