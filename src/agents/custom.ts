/**
 * A user-defined agent (`agents.<name>.command`, or any program on PATH): the prompt is appended as the last
 * argument, in a session and once alike. No detector: its state comes from the process.
 */
import { hooklessLaunch, promptArgOneShot } from "./plain.js";
import type { AgentAdapter, LaunchRequest } from "./types.js";

export function customAdapter(name: string, command: string[]): AgentAdapter {
  return {
    name,
    command,
    install: `check \`agents.${name}.command\` in braid.toml`,
    supportsReadOnly: false,
    supportsResume: false,
    build(req: LaunchRequest) {
      return hooklessLaunch(req.prompt ? [...command, req.prompt] : [...command]);
    },
    oneShot: (req) => promptArgOneShot([...command], req),
  };
}
