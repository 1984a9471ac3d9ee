/** Gemini CLI, as one unit: `--prompt-interactive` in a session, `-p` once; state from its screen. */
import { detectGemini } from "./detectors/gemini.js";
import { hooklessLaunch, promptArgOneShot } from "./plain.js";
import type { AgentAdapter, LaunchRequest } from "./types.js";

export function geminiAdapter(command: string[] = ["gemini"]): AgentAdapter {
  return {
    name: "gemini",
    command,
    install: "npm install -g @google/gemini-cli",
    statePaths: [".gemini"],
    supportsReadOnly: false,
    supportsResume: true,
    build(req: LaunchRequest) {
      const argv = [...command];
      if (req.resume) argv.push("--resume", "latest");
      if (req.prompt) argv.push(req.headless ? "--prompt" : "--prompt-interactive", req.prompt);
      return hooklessLaunch(argv);
    },
    oneShot: (req) => promptArgOneShot([...command, "-p"], req),
    detect: detectGemini,
  };
}
