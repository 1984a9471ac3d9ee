/** OpenAI Codex CLI, as one unit: `codex` in a session, `codex exec` once; state from its screen. */
import { detectCodex } from "./detectors/codex.js";
import { hooklessLaunch, promptArgOneShot } from "./plain.js";
import type { AgentAdapter, LaunchRequest } from "./types.js";

export function codexAdapter(command: string[] = ["codex"]): AgentAdapter {
  return {
    name: "codex",
    command,
    install: "npm install -g @openai/codex",
    statePaths: [".codex"],
    supportsReadOnly: true,
    supportsResume: true,
    build(req: LaunchRequest) {
      const argv = [...command];
      if (req.headless) argv.push("exec");
      else if (req.resume) argv.push("resume", "--last");
      if (req.readOnly) argv.push("--sandbox", "read-only");
      if (req.prompt) argv.push("--", req.prompt);
      return hooklessLaunch(argv);
    },
    oneShot: (req) => promptArgOneShot([...command, "exec"], req),
    detect: detectCodex,
  };
}
