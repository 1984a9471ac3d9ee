/**
 * `braid serve`'s HTTP server (node:http, no framework): the page and its two static files from `web/`,
 * the JSON API and the event stream, all behind the token (auth.ts). A request's token is never logged.
 */
import { readFileSync, rmSync } from "node:fs";
import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import { isBraidError } from "../infra/errors.js";
import { writeFileAtomic } from "../infra/fsutil.js";
import type { ProjectContext } from "../project/context.js";
import { type ServerInfo, serverFile } from "../project/serve-paths.js";
import { Api } from "./api.js";
import { authorize, cookieName, tokenMatches } from "./auth.js";
import { EventHub } from "./events.js";
import { loadOrCreateToken } from "./token.js";

const WEB = new URL("../../../web/", import.meta.url);
const STATIC: Record<string, [file: string, type: string]> = {
  "/": ["index.html", "text/html; charset=utf-8"],
  "/app.js": ["app.js", "text/javascript; charset=utf-8"],
  "/app.css": ["app.css", "text/css; charset=utf-8"],
};
const MAX_BODY = 256 * 1024;

const SECURITY_HEADERS = {
  "Cache-Control": "no-store",
  "Content-Security-Policy": "default-src 'self'; img-src 'self' data:; frame-ancestors 'none'; base-uri 'none'",
  "Referrer-Policy": "no-referrer",
  "X-Content-Type-Options": "nosniff",
  "X-Frame-Options": "DENY",
};

export interface ServeOptions {
  port: number;
  bind: string;
}

export interface RunningBoard {
  /** Address without the token. */
  url: string;
  /** Address with the token: what the user opens. */
  openUrl: string;
  port: number;
  close(): Promise<void>;
}

function reply(res: ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}): void {
  const text = `${JSON.stringify(body)}\n`;
  res.writeHead(status, { ...SECURITY_HEADERS, "Content-Type": "application/json; charset=utf-8", ...headers });
  res.end(text);
}

function readBody(req: IncomingMessage): Promise<unknown> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    req.on("data", (c: Buffer) => {
      size += c.length;
      if (size > MAX_BODY) {
        reject(new BodyError(413, "request body too large"));
        req.destroy();
      } else chunks.push(c);
    });
    req.on("end", () => {
      const text = Buffer.concat(chunks).toString("utf8");
      if (!text.trim()) return resolve({});
      try {
        resolve(JSON.parse(text));
      } catch {
        reject(new BodyError(400, "the request body is not JSON"));
      }
    });
    req.on("error", reject);
  });
}

class BodyError extends Error {
  constructor(
    readonly status: number,
    message: string,
  ) {
    super(message);
  }
}

export async function startBoard(ctx: ProjectContext, opts: ServeOptions): Promise<RunningBoard> {
  const token = loadOrCreateToken(ctx.project.stateDir);
  const hub = new EventHub(ctx);
  const api = new Api(ctx, hub);
  let port = opts.port;

  const handle = async (req: IncomingMessage, res: ServerResponse): Promise<void> => {
    const url = new URL(req.url ?? "/", "http://board.invalid");
    const method = req.method ?? "GET";
    // The page's URL carries the token once: trade it for a cookie and drop it from the address bar.
    const given = url.searchParams.get("token");
    if (given !== null && (method === "GET" || method === "HEAD")) {
      if (!tokenMatches(given, token))
        return reply(res, 401, { error: "wrong token", fix: "open the URL `braid serve` printed" });
      url.searchParams.delete("token");
      const rest = url.searchParams.toString();
      res.writeHead(303, {
        ...SECURITY_HEADERS,
        "Set-Cookie": `${cookieName(port)}=${encodeURIComponent(token)}; HttpOnly; SameSite=Strict; Path=/`,
        Location: `${url.pathname}${rest ? `?${rest}` : ""}`,
      });
      return void res.end();
    }
    const auth = authorize(req, token, port);
    if (!auth.ok) return reply(res, auth.status, { error: auth.reason });
    const file = STATIC[url.pathname];
    if (file && (method === "GET" || method === "HEAD")) {
      res.writeHead(200, { ...SECURITY_HEADERS, "Content-Type": file[1] });
      return void res.end(method === "HEAD" ? undefined : readFileSync(new URL(file[0], WEB)));
    }
    if (url.pathname === "/api/events" && method === "GET") return hub.add(res);
    if (!url.pathname.startsWith("/api/")) return reply(res, 404, { error: `not found: ${url.pathname}` });
    try {
      const [status, body] = await api.handle(method, url.pathname, url.searchParams, () => readBody(req));
      reply(res, status, body);
    } catch (e) {
      if (e instanceof BodyError) return reply(res, e.status, { error: e.message });
      if (isBraidError(e)) return reply(res, 400, { error: e.message, fix: e.fix ?? null });
      reply(res, 500, { error: `internal error: ${(e as Error).message}` });
    }
  };

  const server: Server = createServer((req, res) => {
    handle(req, res).catch(() => {
      if (!res.headersSent) reply(res, 500, { error: "internal error" });
      else res.end();
    });
  });
  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(opts.port, opts.bind, () => resolve());
  });
  port = (server.address() as AddressInfo).port;
  const host = opts.bind.includes(":") ? `[${opts.bind}]` : opts.bind;
  const base = `http://${host === "0.0.0.0" || host === "[::]" ? "127.0.0.1" : host}:${port}`;
  const info: ServerInfo = { url: base, pid: process.pid, startedAt: new Date().toISOString() };
  writeFileAtomic(serverFile(ctx.project.stateDir), `${JSON.stringify(info)}\n`);
  await hub.start();
  return {
    url: base,
    openUrl: `${base}/?token=${token}`,
    port,
    close: async () => {
      hub.close();
      rmSync(serverFile(ctx.project.stateDir), { force: true });
      server.closeAllConnections();
      await new Promise<void>((r) => server.close(() => r()));
    },
  };
}
