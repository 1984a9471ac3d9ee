/**
 * Who may talk to the board: whoever holds the token, as `Authorization: Bearer <token>` or as the cookie
 * the page's URL (`/?token=…`) sets. State-changing requests must also come from the board's own origin:
 * a browser always sends Origin on a POST, so another site's page is refused even with the cookie; a
 * request without Origin (curl, scripts) must carry the Bearer header itself.
 */
import { createHash, timingSafeEqual } from "node:crypto";
import type { IncomingMessage } from "node:http";

type AuthResult = { ok: true; via: "bearer" | "cookie" } | { ok: false; status: 401 | 403; reason: string };

/** One cookie per port: cookies ignore ports, and two boards of two projects may run side by side. */
export function cookieName(port: number): string {
  return `braid_board_${port}`;
}

function sameSecret(given: string, token: string): boolean {
  const a = createHash("sha256").update(given).digest();
  const b = createHash("sha256").update(token).digest();
  return timingSafeEqual(a, b);
}

function cookieValue(req: IncomingMessage, name: string): string | null {
  for (const part of (req.headers.cookie ?? "").split(";")) {
    const eq = part.indexOf("=");
    if (eq > 0 && part.slice(0, eq).trim() === name) return decodeURIComponent(part.slice(eq + 1).trim());
  }
  return null;
}

export function tokenMatches(given: string | null, token: string): boolean {
  return given !== null && given.length > 0 && sameSecret(given, token);
}

const SAFE_METHODS = new Set(["GET", "HEAD"]);

export function authorize(req: IncomingMessage, token: string, port: number): AuthResult {
  const header = req.headers.authorization ?? "";
  const bearer = header.startsWith("Bearer ") ? header.slice(7).trim() : null;
  const cookie = cookieValue(req, cookieName(port));
  const state = !SAFE_METHODS.has(req.method ?? "GET");
  const origin = req.headers.origin;
  if (state && origin !== undefined && origin !== `http://${req.headers.host}`)
    return { ok: false, status: 403, reason: "cross-origin request refused" };
  if (tokenMatches(bearer, token)) return { ok: true, via: "bearer" };
  if (tokenMatches(cookie, token)) {
    if (state && origin === undefined)
      return { ok: false, status: 403, reason: "a state-changing request with the cookie needs an Origin header" };
    return { ok: true, via: "cookie" };
  }
  return { ok: false, status: 401, reason: "missing or wrong token: open the URL `braid serve` printed" };
}
