/** Aider, as one unit: interactive in a session, `--message` once; state from its screen. */
import { detectAider } from "./detectors/aider.js";
import { hooklessLaunch, promptArgOneShot } from "./plain.js";
import type { AgentAdapter, LaunchRequest } from "./types.js";

export function aiderAdapter(command: string[] = ["aider"]): AgentAdapter {
  return {
    name: "aider",
    command,
    install: "python -m pip install aider-install && aider-install",
    statePaths: [".aider"],
    supportsReadOnly: true,
    supportsResume: true,
    build(req: LaunchRequest) {
      const argv = [...command];
      if (req.resume) argv.push("--restore-chat-history");
      if (req.readOnly) argv.push("--dry-run");
      // aider has no "first prompt, then stay interactive" flag: interactive sessions get the task via `braid send`.
      if (req.headless && req.prompt) argv.push("--yes-always", "--message", req.prompt);
      return hooklessLaunch(argv);
    },
    oneShot: (req) => promptArgOneShot([...command, "--yes-always", "--message"], req),
    detect: detectAider,
  };
}
