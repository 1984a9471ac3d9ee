import type { Command } from "commander";
import { BraidError } from "../../infra/errors.js";
import { act } from "../act.js";
import { print, printNotice, printWarning } from "../output.js";

const DEFAULT_PORT = 7878;
const LOOPBACK = new Set(["127.0.0.1", "localhost", "::1"]);

function parsePort(s: string): number {
  const n = Number(s);
  if (!/^\d+$/.test(s) || n > 65535)
    throw new BraidError(
      `--port must be a number from 0 to 65535, not "${s}"`,
      "e.g. --port 8080 (0 = any free port)",
      2,
    );
  return n;
}

export function registerServe(program: Command): void {
  program
    .command("serve")
    .description("web board + JSON API + live events on 127.0.0.1, behind a token (open the printed URL)")
    .option("--port <port>", `port to listen on (0 = any free port)`, String(DEFAULT_PORT))
    .option(
      "--bind <addr>",
      "address to listen on; anything but loopback is reachable from other machines",
      "127.0.0.1",
    )
    .action(
      act(async (opts: { port: string; bind: string }) => {
        const port = parsePort(opts.port);
        const [{ loadContext }, { startBoard }] = await Promise.all([
          import("../../project/context.js"),
          import("../../serve/server.js"),
        ]);
        const ctx = await loadContext();
        let board: Awaited<ReturnType<typeof startBoard>>;
        try {
          board = await startBoard(ctx, { port, bind: opts.bind === "localhost" ? "127.0.0.1" : opts.bind });
        } catch (e) {
          const code = (e as NodeJS.ErrnoException).code;
          if (code === "EADDRINUSE")
            throw new BraidError(`port ${port} is already in use`, "pass another --port (0 = any free port)");
          if (code === "EADDRNOTAVAIL" || code === "ENOTFOUND")
            throw new BraidError(
              `cannot listen on ${opts.bind}: not an address of this machine`,
              "use --bind 127.0.0.1",
            );
          throw e;
        }
        // only once it listens: a bind that fails gets its one error line, not a warning first
        if (!LOOPBACK.has(opts.bind))
          printWarning(
            `serving on ${opts.bind}: anyone who can reach it and has the token can drive your agents, and plain HTTP carries the token unencrypted — prefer an SSH tunnel to 127.0.0.1`,
          );
        print(board.openUrl);
        printNotice("braid serve: open the URL above (it carries the access token); Ctrl-C stops the board");
        await new Promise<void>((resolve) => {
          const stop = () => resolve();
          process.once("SIGINT", stop);
          process.once("SIGTERM", stop);
        });
        await board.close();
        return 0;
      }),
    );
}
