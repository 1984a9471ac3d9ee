/**
 * Port slots: with `ports = N`, session slot k owns ports `port_base + k·N … + N−1` for its whole life.
 * The slot is chosen under the registry lock (two braid commands never hand out the same one) and stored
 * in the session record (`ext.ports`), so stop/restart keep it and `rm`/`clean` free it with the record.
 * A port some other process holds when the slot is chosen skips the whole slot.
 */
import { createServer } from "node:net";
import { BraidError } from "../infra/errors.js";
import type { ProjectContext } from "../project/context.js";
import type { SessionRecord } from "../project/state.js";

export interface PortBlock {
  slot: number;
  /** The session's ports, first = BRAID_PORT / PORT. */
  ports: number[];
}

declare module "../project/state.js" {
  interface SessionExt {
    /** The session's port block, for its whole life (this module). */
    ports?: PortBlock;
  }
}

export function portsOf(rec: SessionRecord): PortBlock | null {
  const p = rec.ext?.ports;
  return p && Number.isInteger(p.slot) && Array.isArray(p.ports) ? p : null;
}

/** Resolves false when something else listens on host:port (or binding is refused). */
function canBind(port: number, host: string): Promise<boolean> {
  return new Promise((resolve) => {
    const srv = createServer();
    srv.once("error", (e: NodeJS.ErrnoException) => {
      // No IPv6 on this machine: nothing can hold the port there either.
      resolve(e.code === "EAFNOSUPPORT" || e.code === "EADDRNOTAVAIL");
    });
    srv.listen({ port, host, exclusive: true }, () => srv.close(() => resolve(true)));
  });
}

/** Free on both loopback IPv4 and the IPv6 wildcard (a dev server may bind either). */
async function portFree(port: number): Promise<boolean> {
  return (await canBind(port, "127.0.0.1")) && (await canBind(port, "::"));
}

/** The lowest slot not held by another session, whose ports are all free right now. */
export async function pickSlot(
  sessions: SessionRecord[],
  count: number,
  base: number,
  free: (port: number) => Promise<boolean> = portFree,
): Promise<PortBlock> {
  const takenSlots = new Set<number>();
  const takenPorts = new Set<number>();
  for (const s of sessions) {
    const b = portsOf(s);
    if (!b) continue;
    takenSlots.add(b.slot);
    for (const p of b.ports) takenPorts.add(p);
  }
  for (let slot = 0; base + (slot + 1) * count - 1 <= 65535; slot++) {
    if (takenSlots.has(slot)) continue;
    const ports = Array.from({ length: count }, (_, i) => base + slot * count + i);
    if (ports.some((p) => takenPorts.has(p))) continue;
    let ok = true;
    for (const p of ports) {
      if (!(await free(p))) {
        ok = false;
        break;
      }
    }
    if (ok) return { slot, ports };
  }
  throw new BraidError(
    `no free port slot: every block of ${count} port(s) from ${base} to 65535 is taken`,
    "remove finished sessions (`braid rm`), or lower `ports` / `port_base`",
  );
}

/**
 * The session's port block, allocating one under the registry lock when `ports` is on and it has none yet.
 * null when ports are off (and the session never had a block).
 */
export async function ensurePorts(ctx: ProjectContext, name: string): Promise<PortBlock | null> {
  const rec = ctx.store.get(name);
  const have = rec ? portsOf(rec) : null;
  if (have || ctx.config.ports === 0) return have;
  return ctx.store.update(async (d) => {
    const r = d.sessions.find((s) => s.name === name);
    if (!r) return null;
    const mine = portsOf(r);
    if (mine) return mine;
    const block = await pickSlot(
      d.sessions.filter((s) => s.name !== name),
      ctx.config.ports,
      ctx.config.port_base,
    );
    r.ext = { ...r.ext, ports: block };
    return block;
  });
}
