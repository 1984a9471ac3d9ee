import type { Command } from "commander";
import { Demo, type DemoEvent } from "../../demo/run.js";
import { act } from "../act.js";
import { paint, print, useColor } from "../output.js";

function render(e: DemoEvent): void {
  if (e.kind === "say") {
    print();
    print(`${paint("cyan", "▸")} ${e.text}`);
    return;
  }
  print(`  ${paint("bold", `$ ${e.display}`)}`);
  const out = e.output.replace(/\s+$/, "");
  if (out) print(out.replace(/^/gm, "    "));
}

export function registerDemo(program: Command): void {
  program
    .command("demo")
    .description("watch braid's main job on a sample repo in a temp dir: three scripted agents, radar, merge train")
    .option("--keep", "leave the demo repository and its sessions for a look (prints how to open the board there)")
    .action(
      act(async (opts: { keep?: boolean }) => {
        const demo = new Demo({ keep: Boolean(opts.keep), color: useColor(), onEvent: render });
        // Ctrl-C: the demo stops its agents and removes its folder before braid exits
        const interrupted = () => demo.interrupt();
        process.once("SIGINT", interrupted);
        print(`braid demo: three agent sessions on a sample repository, braided back into main — in ${demo.world.dir}`);
        print("(the demo has its own braid state, notes and git config there: yours are not touched)");
        try {
          const r = await demo.run();
          print();
          if (r.kept && r.envFile) {
            print(
              `${paint("green", "Kept")} the demo in ${r.dir}: shout is still there, handed back with its conflict.`,
            );
            print(`  look around:  . ${r.envFile} && braid board     (also: braid status, braid conflicts)`);
            print(`  remove it:    rm -rf ${r.dir}`);
          } else {
            print(
              `${paint("green", "Done")} in ${(r.ms / 1000).toFixed(1)} s; the demo folder is removed (\`braid demo --keep\` leaves it).`,
            );
          }
          print(
            'Now in your own repository: braid start NAME "task" runs Claude Code the same way (README: Quick start).',
          );
          return 0;
        } finally {
          process.removeListener("SIGINT", interrupted);
        }
      }),
    );
}
