/** `--since` values: an ISO date/time, or a duration back from now (90s, 10m, 2h, 3d). */
import { BraidError } from "../infra/errors.js";

const UNIT_MS: Record<string, number> = { s: 1000, m: 60_000, h: 3_600_000, d: 86_400_000 };

export function parseSince(value: string, now: number = Date.now()): Date {
  const v = value.trim();
  const rel = /^(\d+)\s*([smhd])$/i.exec(v);
  if (rel) return new Date(now - Number(rel[1]) * (UNIT_MS[(rel[2] ?? "s").toLowerCase()] ?? 1000));
  if (/^\d{4}-\d{2}-\d{2}/.test(v)) {
    const t = Date.parse(v);
    if (!Number.isNaN(t)) return new Date(t);
  }
  throw new BraidError(
    `--since "${value.slice(0, 40)}" is not a time`,
    "use an ISO time (2026-11-25 or 2026-11-25T10:00Z) or a duration back from now (30s, 10m, 2h, 3d)",
  );
}
