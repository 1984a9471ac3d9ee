/**
 * Claude Code, as one unit. Sessions: braid picks the conversation id (`--session-id`), passes its hooks with
 * `--settings` (nothing is written into the user's files; hook lists from several sources are combined, so the
 * user's own hooks keep working), adds braid's slash commands with `--plugin-dir` (claude-plugin.ts), and
 * resumes with `--resume <id>` (or `--continue` without one). One-shot runs: `claude -p --output-format json`
 * with the prompt on stdin (no argv length limit). Its tools per use: claude/tools.ts; its screen:
 * detectors/claude.ts; its transcripts and their cost: claude/transcript.ts.
 */
import { existsSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { PROJECT_CONFIG_FILE } from "../project/paths.js";
import { claudeToolArgs, FILE_EDIT_TOOLS, QUESTION_TOOL, researchEditDenial } from "./claude/tools.js";
import { readTranscript, transcriptFiles } from "./claude/transcript.js";
import { claudePluginDir } from "./claude-plugin.js";
import { detectClaude } from "./detectors/claude.js";
import type { AgentAdapter, AgentLaunch, LaunchRequest, OneShotLaunch, OneShotRequest } from "./types.js";

/** Every hook event braid listens to. */
export const CLAUDE_HOOK_EVENTS = [
  "SessionStart",
  "UserPromptSubmit",
  "PreToolUse",
  "PostToolUse",
  "PermissionRequest",
  "Notification",
  "Stop",
  "SessionEnd",
] as const;

/** Quote for a POSIX shell: Claude runs hook commands through one. Only braid's own paths go in here. */
export function shellQuote(s: string): string {
  return `'${s.replace(/'/g, `'\\''`)}'`;
}

/** Absolute path of braid's launcher, so hooks work without braid on PATH. */
export function braidBin(): string {
  return fileURLToPath(new URL("../../../bin/braid.js", import.meta.url));
}

/**
 * Reads the rest of the hook's input: a hook that ends before Claude has written it all (a tool's input or output
 * can be far more than a pipe holds) fails Claude's write with EPIPE, which some versions report as a hook error.
 */
const DRAIN = "cat >/dev/null 2>&1";

/** The session's run dir in a hook's shell (runtime/paths.ts), and the test that braid's variables are there. */
const RUN_DIR = 'd="$BRAID_STATE_DIR/run/$BRAID_SESSION"';
const IN_SESSION = '[ -n "$BRAID_STATE_DIR" ] && [ -n "$BRAID_SESSION" ]';

/**
 * After any tool ran, the agent is working again (it may have been waiting on a permission prompt). That needs
 * no decision, so it is a bare `touch` of the session's activity marker (live.ts reads it): no node, no braid
 * process on every tool call. Hook commands run in the agent's environment, where braid set both variables.
 */
export const ACTIVITY_HOOK = `${IN_SESSION} && touch -- "$BRAID_STATE_DIR/run/$BRAID_SESSION/activity" 2>/dev/null; ${DRAIN}; exit 0`;

/**
 * A hook its shell settles when every step of one of `ways` succeeds (the tests, then the write of the mark): it ends
 * there. Otherwise (a test fails, the mark cannot be written, not a braid session) braid's hook runs in its place.
 */
function shellFirst(ways: string[][], braidHook: string, vars = "", more: string[] = []): string {
  const settled = ways.map((steps) => `if ${[IN_SESSION, ...steps].join(" && ")}; then ${DRAIN}; exit 0; fi`);
  return [`${RUN_DIR}${vars}`, ...settled, ...more, `exec ${braidHook}`].join("; ");
}

/**
 * A prompt with no note waiting (every prompt but the first after a note) needs no braid: the notes file is absent,
 * or the session's notes-seen file (coord/unread.ts) is newer than it and holds its size. Then the shell touches the
 * prompt mark (live.ts applies it) and ends; anything else, or anything unsure, runs braid's hook, which delivers.
 */
function promptHook(braidHook: string): string {
  const seen = '"$d/notes-seen"';
  const unchanged = `[ ${seen} -nt "$f" ] && read -r n < ${seen} && [ "$n" -eq "$(wc -c 2>/dev/null < "$f")" ] 2>/dev/null`;
  const steps = ['[ -n "$f" ]', `{ [ ! -e "$f" ] || { ${unchanged}; }; }`, 'touch -- "$d/prompt" 2>/dev/null'];
  return shellFirst([steps], braidHook, '; f="$BRAID_NOTES_FILE"');
}

/** No config file mentions a notify key (the hook's own test, notify/when.ts): a state change notifies nobody. */
const NO_NOTIFY = [
  '[ -n "$BRAID_GLOBAL_CONFIG" ]',
  `! grep -qs notify_ "$BRAID_GLOBAL_CONFIG" "$BRAID_MAIN_WORKTREE/${PROJECT_CONFIG_FILE}"`,
];

/** How much of a hook's input its mark keeps (live.ts reads it): the fields braid reads come first, a tool's input last. */
const MARK_INPUT_BYTES = 4096;

/**
 * Events that only change the state, each with its mark (runtime/paths.ts MARKED_EVENTS): a finished turn, a wait
 * for a permission or an answer, the session's end. The shell writes the mark (the start of the hook's input where the
 * state's detail comes from it) and ends, unless a notify key is set for an event that can notify: then braid's hook
 * runs, which records it and notifies.
 */
const STATE_MARKS: Record<string, { mark: string; input: boolean; notifies: boolean }> = {
  Stop: { mark: "stop", input: false, notifies: true },
  PermissionRequest: { mark: "permission", input: true, notifies: true },
  Notification: { mark: "notification", input: true, notifies: true },
  SessionEnd: { mark: "end", input: true, notifies: false },
};

function stateHook(event: string, braidHook: string): string | undefined {
  const m = STATE_MARKS[event];
  if (!m) return undefined;
  const write = m.input
    ? `head -c ${MARK_INPUT_BYTES} 2>/dev/null > "$d/${m.mark}"`
    : `touch -- "$d/${m.mark}" 2>/dev/null`;
  return shellFirst([[...(m.notifies ? NO_NOTIFY : []), write]], braidHook);
}

/** Records `tool` as the tool the agent runs now (live.ts reads PreToolUse's mark). */
const toolMark = (tool: string) => `printf '%s\n' ${shellQuote(tool)} 2>/dev/null > "$d/tool"`;

/**
 * A file edit needs no braid when there is nothing to decide: a research session's is denied (the shell prints
 * braid's answer); while no session owns paths (the registry's no-owners file, project/state.ts, is newer than
 * state.json) any other is allowed; and while some do, so is an edit of a file under none of the owned paths'
 * literal prefixes (ownedEdit). Each time the shell records the tool in its mark (live.ts) and ends; else braid's hook
 * runs the ownership guard.
 */
function editHook(tool: string, braidHook: string): string {
  const [before, after] = JSON.stringify(researchEditDenial("@SESSION@")).split("@SESSION@");
  const notResearch = `[ "\${BRAID_SESSION_TYPE:-implementation}" != research ]`;
  const research = [
    '[ "$BRAID_SESSION_TYPE" = research ]',
    'case "$BRAID_SESSION" in *[!A-Za-z0-9._-]*) false ;; *) true ;; esac',
    toolMark(tool),
    `printf '%s%s%s\n' ${shellQuote(before ?? "")} "$BRAID_SESSION" ${shellQuote(after ?? "")}`,
  ];
  const allowed = [notResearch, '[ "$BRAID_STATE_DIR/no-owners" -nt "$BRAID_STATE_DIR/state.json" ]', toolMark(tool)];
  return shellFirst([research, allowed], braidHook, "", [ownedEdit(tool, notResearch, braidHook)]);
}

/**
 * An edit while some session owns paths, settled by the shell alone (no process but `cat`) when the file is surely
 * outside every owned path: the path from the hook's input (the first `"file_path":"` in it is the tool's: inside a
 * JSON string every quote is escaped; one with an escape in it is braid's), its folder's real path (`cd -P`, as the
 * guard resolves symlinks; a folder not made yet is braid's), inside this session's worktree ($BRAID_WORKTREE, its
 * real path), and under none of the prefixes in `owned-prefixes` (written by braid after state.json, trusted only
 * while newer). Anything else, or anything unsure, hands the input it read to braid's hook.
 */
function ownedEdit(tool: string, notResearch: string, braidHook: string): string {
  const key = `'"${tool === "NotebookEdit" ? "notebook_path" : "file_path"}":"'`;
  const prefixes = '"$BRAID_STATE_DIR/owned-prefixes"';
  const when = [
    IN_SESSION,
    notResearch,
    '[ -n "$BRAID_WORKTREE" ]',
    `[ ${prefixes} -nt "$BRAID_STATE_DIR/state.json" ]`,
  ];
  const outside = [
    `case "$i" in *${key}*) true ;; *) false ;; esac`,
    `p=\${i#*${key}}`,
    `p=\${p%%'"'*}`,
    'case "$p" in /*) true ;; *) false ;; esac',
    'case "$p" in *\\\\*) false ;; *) true ;; esac',
    `r=$(cd -P -- "\${p%/*}" 2>/dev/null && pwd -P)`,
    `f="$r/\${p##*/}"`,
    '[ ! -L "$f" ]',
    'case "$f" in "$BRAID_WORKTREE"/*) true ;; *) false ;; esac',
    `r=\${f#"$BRAID_WORKTREE"/}`,
    "o=0",
    `while IFS= read -r x; do case "$r" in "$x"*) o=1; break ;; esac; done < ${prefixes}`,
    '[ "$o" = 0 ]',
    toolMark(tool),
  ];
  return `if ${when.join(" && ")}; then i=$(cat); if ${outside.join(" && ")}; then exit 0; fi; printf '%s' "$i" | ${braidHook}; exit; fi`;
}

/** A question to the user (the question tool) is a wait: the shell records the tool unless a notify key is set. */
function questionHook(braidHook: string): string {
  return shellFirst([[...NO_NOTIFY, toolMark(QUESTION_TOOL)]], braidHook);
}

/**
 * The program and arguments that handle one hook event: the hook bundle run directly (`node hook.cjs
 * <event>`, one file, no launcher in between: a hook runs on every prompt and checked tool call), or
 * `node braid.js hook <event>` for a checkout whose bundles were not built.
 */
export function hookCommand(node: string, bin: string, event: string): string[] {
  const bundle = join(dirname(bin), "..", "dist", "bundle", "hook.cjs");
  return existsSync(bundle) ? [node, bundle, event] : [node, bin, "hook", event];
}

/**
 * The `--settings` JSON: one command hook per event (hookCommand), except that PreToolUse runs only for the tools
 * braid inspects, PostToolUse is the activity touch, and a shell settles the common case of every event but
 * SessionStart (promptHook, stateHook, editHook, questionHook).
 */
export function claudeHookSettings(node = process.execPath, bin = braidBin()): string {
  const hooks: Record<string, unknown> = {};
  const braidCommand = (ev: string) => hookCommand(node, bin, ev).map(shellQuote).join(" ");
  const command = (ev: string) =>
    ev === "UserPromptSubmit" ? promptHook(braidCommand(ev)) : (stateHook(ev, braidCommand(ev)) ?? braidCommand(ev));
  const hook = (cmd: string) => ({ type: "command", command: cmd, timeout: 30 });
  for (const ev of CLAUDE_HOOK_EVENTS) {
    if (ev === "PostToolUse") {
      hooks[ev] = [{ matcher: "*", hooks: [{ type: "command", command: ACTIVITY_HOOK, timeout: 5 }] }];
    } else if (ev === "PreToolUse") {
      // one group per file-edit tool (a plain name matches exactly), so each shell knows its tool
      hooks[ev] = [
        ...FILE_EDIT_TOOLS.map((tool) => ({ matcher: tool, hooks: [hook(editHook(tool, braidCommand(ev)))] })),
        { matcher: QUESTION_TOOL, hooks: [hook(questionHook(braidCommand(ev)))] },
      ];
    } else {
      hooks[ev] = [{ ...(ev === "PermissionRequest" ? { matcher: "*" } : {}), hooks: [hook(command(ev))] }];
    }
  }
  return JSON.stringify({ hooks });
}

/** The Claude Code executable: $BRAID_CLAUDE_BIN, else `claude` on PATH (sessions and one-shot runs alike). */
export function claudeBinary(): string {
  return process.env.BRAID_CLAUDE_BIN || "claude";
}

function claudeOneShot(command: string[], req: OneShotRequest): OneShotLaunch {
  const argv = [...command, "-p", "--output-format", "json"];
  if (req.jsonSchema) argv.push("--json-schema", JSON.stringify(req.jsonSchema));
  argv.push(...claudeToolArgs({ run: "one-shot", access: req.tools, autonomy: req.autonomy }));
  if (req.resume) {
    argv.push("--resume", req.resume.sessionId);
    if (req.resume.fork) argv.push("--fork-session");
  }
  return { argv, stdin: req.prompt, promptInArgv: false, output: "claude-json" };
}

export function claudeAdapter(command: string[] = [claudeBinary()]): AgentAdapter {
  return {
    name: "claude",
    command,
    install: "npm install -g @anthropic-ai/claude-code (or set BRAID_CLAUDE_BIN)",
    supportsReadOnly: true,
    supportsResume: true,
    statePaths: [".claude", ".claude.json"],
    build(req: LaunchRequest): AgentLaunch {
      const argv = [...command];
      if (req.headless) argv.push("-p", "--output-format", "stream-json", "--verbose");
      let conversationId: string | null = req.conversationId;
      if (req.forkFrom && !req.resume) {
        argv.push("--resume", req.forkFrom, "--fork-session", "--session-id", req.conversationId);
      } else if (req.resume && req.previousConversationId) {
        argv.push("--resume", req.previousConversationId);
        conversationId = req.previousConversationId;
      } else if (req.resume) {
        argv.push("--continue");
        conversationId = null;
      } else argv.push("--session-id", req.conversationId);
      argv.push("--settings", claudeHookSettings());
      argv.push("--plugin-dir", claudePluginDir(process.execPath, braidBin()));
      argv.push(...claudeToolArgs({ run: "session", readOnly: req.readOnly, autonomy: req.autonomy ?? "ask" }));
      // `--` ends the options: a task starting with '-' stays a prompt, and variadic flags cannot swallow it.
      if (req.prompt) argv.push("--", req.prompt);
      return { argv, env: {}, conversationId, hooks: true };
    },
    oneShot: (req) => claudeOneShot(command, req),
    detect: detectClaude,
    usage: { transcriptFiles, readTranscript },
  };
}
