/**
 * `braid board`: mounts the board in the alternate screen; when the user attaches (Enter) or pages a diff (d)
 * the board unmounts, the job gets the real terminal, and the board mounts again with the same selection.
 * This module (and so ink and react) is loaded only by `braid board`.
 */
import { render } from "ink";
import { BraidError } from "../../infra/errors.js";
import type { ProjectContext } from "../../project/context.js";
import { App, type BoardExit } from "./App.js";
import { attachJob, realActions } from "./actions.js";
import { realLoaders } from "./loaders.js";
import { PollingSource } from "./source.js";
import { ENTER_SCREEN, LEAVE_SCREEN, pageDiff } from "./terminal.js";

export interface BoardOptions {
  bell: boolean;
}

export async function runBoard(ctx: ProjectContext, opts: BoardOptions): Promise<number> {
  if (!process.stdout.isTTY || !process.stdin.isTTY) {
    throw new BraidError(
      "braid board needs an interactive terminal",
      "run it in a terminal; scripts can use `braid status --json`",
    );
  }
  const source = new PollingSource(realLoaders(ctx));
  // Draw from the cheap live state first: git figures and the radar can take seconds on a busy machine.
  await source.loadLive();
  const actions = realActions(ctx);
  let selected: string | null = null;
  let message: string | null = null;
  process.stdout.write(ENTER_SCREEN);
  try {
    for (;;) {
      let intent: BoardExit = { kind: "quit" };
      const instance = render(
        <App
          source={source}
          actions={actions}
          bell={opts.bell}
          initialSelected={selected}
          initialMessage={message}
          onExit={(e, name) => {
            intent = e;
            selected = name;
          }}
        />,
        // ink 6.8 incrementalRendering left stale lines on view switches here: full redraws (synchronized output) instead
        { exitOnCtrlC: false, patchConsole: false },
      );
      await instance.waitUntilExit();
      const done = intent as BoardExit;
      if (done.kind === "quit") return 0;
      process.stdout.write(LEAVE_SCREEN);
      try {
        message = done.kind === "attach" ? await attachJob(ctx, done.session) : await pageDiff(ctx, done.session);
      } catch (e) {
        message = `✘ ${e instanceof BraidError ? e.oneLine() : (e as Error).message}`;
      }
      process.stdout.write(ENTER_SCREEN);
    }
  } finally {
    source.stop();
    process.stdout.write(LEAVE_SCREEN);
  }
}
