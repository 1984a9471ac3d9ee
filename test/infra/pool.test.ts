import assert from "node:assert/strict";
import { test } from "node:test";
import { setTimeout as sleep } from "node:timers/promises";
import { allSettledOrThrow, mapLimit } from "../../src/infra/pool.js";

test("mapLimit keeps order and never runs more than the limit at once", async () => {
  let running = 0;
  let most = 0;
  const out = await mapLimit([5, 1, 4, 2, 3], 2, async (n, i) => {
    most = Math.max(most, ++running);
    await sleep(n * 3);
    running--;
    return n * 10 + i;
  });
  assert.deepEqual(out, [50, 11, 42, 23, 34]);
  assert.equal(most, 2);
});

test("mapLimit starts nothing after a failure and throws once the items in flight have settled", async () => {
  const started: number[] = [];
  let settled = 0;
  await assert.rejects(
    mapLimit([0, 1, 2, 3, 4, 5], 2, async (n) => {
      started.push(n);
      if (n === 0) throw new Error("first fails");
      await sleep(20);
      settled++;
      return n;
    }),
    /first fails/,
  );
  // Item 1 was in flight when 0 failed; nothing after it started, and it had finished before the throw.
  assert.deepEqual(started, [0, 1]);
  assert.equal(settled, 1);
});

test("allSettledOrThrow throws the first failure only once every promise has settled", async () => {
  let slowDone = false;
  const slow = sleep(30).then(() => {
    slowDone = true;
    return 1;
  });
  const fails = Promise.reject(new Error("copy failed"));
  await assert.rejects(
    allSettledOrThrow([slow, fails]).finally(() => assert.ok(slowDone, "the slow one finished first")),
    /copy failed/,
  );
  assert.deepEqual(await allSettledOrThrow([Promise.resolve(1), sleep(5).then(() => 2)]), [1, 2]);
});
