/**
 * The detached notification worker: `node worker.js` with the event in BRAID_NOTIFY_EVENT (see fire.ts).
 * Exits on its own after a bounded time whatever the user's command or URL does.
 */
import { deliver } from "./deliver.js";
import { EVENT_ENV, type NotifyEvent } from "./fire.js";

setTimeout(() => process.exit(0), 30_000).unref();

let ev: NotifyEvent | null = null;
try {
  ev = JSON.parse(process.env[EVENT_ENV] ?? "") as NotifyEvent;
} catch {
  ev = null;
}
if (ev?.session && ev.state && ev.stateDir) {
  delete process.env[EVENT_ENV];
  deliver(ev).then(
    () => process.exit(0),
    () => process.exit(0),
  );
}
