/** What the agents without braid hooks share: their state comes from the screen (detectors) and the process. */
import type { AgentLaunch, OneShotLaunch, OneShotRequest } from "./types.js";

export function hooklessLaunch(argv: string[]): AgentLaunch {
  return { argv, env: {}, conversationId: null, hooks: false };
}

/** A one-shot run that takes the prompt as its last argument; a JSON schema is asked for in the prompt itself. */
export function promptArgOneShot(argv: string[], req: OneShotRequest): OneShotLaunch {
  const schemaNote = req.jsonSchema
    ? `\n\nAnswer with only a JSON value matching this JSON schema:\n${JSON.stringify(req.jsonSchema)}`
    : "";
  return { argv: [...argv, `${req.prompt}${schemaNote}`], stdin: "", promptInArgv: true, output: "text" };
}
