/**
 * Re-captures the real Claude Code screens used as detector fixtures (test/fixtures/screens/claude/).
 * Not a test: run by hand after a Claude Code upgrade, then review the diff.
 *   npx tsc -p . && node dist/test/kit/capture-screens.js
 */
import { mkdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import {
  CLAUDE_BIN,
  CLAUDE_VERSION,
  claudeEnv,
  prepareClaudeHome,
  STUB_API_KEY,
  TmuxTestServer,
} from "../helpers/claude.js";
import { makeSandbox, REPO_ROOT, type Sandbox } from "../helpers/env.js";
import { startModelStub, type Turn } from "../helpers/model-stub.js";

const OUT = join(REPO_ROOT, "test", "fixtures", "screens", "claude");

interface Shot {
  name: string;
  what: string;
  turns: Turn[];
  prompt?: string;
  /** Set up ~/.claude.json differently (default: onboarded, key approved, folder trusted). */
  home?: (sb: Sandbox, dir: string) => void;
  env?: NodeJS.ProcessEnv;
  /** Extra Claude arguments. */
  args?: string[];
  /** Tools allowed without asking. */
  allow?: string[];
  /** Screen to wait for before capturing, and keys to press first (each after the previous screen). */
  steps: { wait: RegExp; keys?: string[]; settleMs?: number }[];
}

const bash = (command: string): Turn["toolUse"] => ({ name: "Bash", input: { command, description: "Run it" } });

async function main(): Promise<void> {
  const stub = await startModelStub();
  mkdirSync(OUT, { recursive: true });
  const shots: Shot[] = [
    { name: "idle-start", what: "fresh start, no prompt given", turns: [], steps: [{ wait: /\? for shortcuts/ }] },
    {
      name: "idle-after-turn",
      what: "turn finished, ready for the next prompt",
      prompt: "say hi",
      turns: [{ text: "Hi! What should we build?" }],
      steps: [{ wait: /What should we build\?[\s\S]*\? for shortcuts/, settleMs: 800 }],
    },
    {
      name: "working-thinking",
      what: "model reply held by the stub (spinner)",
      prompt: "think",
      turns: [{ delayMs: 20_000, text: "late" }],
      steps: [{ wait: /esc to interrupt/, settleMs: 2_500 }],
    },
    {
      name: "working-tool",
      what: "an allowed Bash tool call still running",
      prompt: "sleep",
      turns: [{ toolUse: bash("sleep 20") }, { text: "slept" }],
      allow: ["Bash"],
      steps: [{ wait: /Running…/, settleMs: 1_500 }],
    },
    {
      name: "permission-bash",
      what: "Bash tool call without permission",
      prompt: "run it",
      turns: [{ text: "Running the build.", toolUse: bash("npm run build && git commit -am wip") }, { text: "ok" }],
      steps: [{ wait: /Do you want to proceed\?/, settleMs: 500 }],
    },
    {
      name: "permission-write",
      what: "Write tool call without permission",
      prompt: "write it",
      turns: [
        { toolUse: { name: "Write", input: { file_path: "__DIR__/notes.md", content: "# Notes\n" } } },
        { text: "ok" },
      ],
      steps: [{ wait: /Do you want to create/, settleMs: 500 }],
    },
    {
      name: "question",
      what: "AskUserQuestion tool: the agent asks the user to choose",
      prompt: "ask me",
      turns: [
        {
          toolUse: {
            name: "AskUserQuestion",
            input: {
              questions: [
                {
                  question: "Which database should the service use?",
                  header: "Database",
                  multiSelect: false,
                  options: [
                    { label: "PostgreSQL", description: "Relational, already in use" },
                    { label: "SQLite", description: "Embedded, simplest" },
                  ],
                },
              ],
            },
          },
        },
        { text: "ok" },
      ],
      steps: [{ wait: /Which database should the service use\?/, settleMs: 800 }],
    },
    {
      name: "plan-approval",
      what: "plan mode: ExitPlanMode asks the user to approve the plan",
      prompt: "plan it",
      args: ["--permission-mode", "plan"],
      turns: [
        { toolUse: { name: "ExitPlanMode", input: { plan: "1. Add a users table\n2. Write the migration" } } },
        { text: "ok" },
      ],
      steps: [{ wait: /Exit plan mode\?|proceed\?|Ready to code/i, settleMs: 1_500 }],
    },
    {
      name: "idle-plan-mode",
      what: "turn finished in plan mode (footer shows the mode, not '? for shortcuts')",
      prompt: "look around",
      args: ["--permission-mode", "plan"],
      turns: [{ text: "Looked around." }],
      steps: [{ wait: /Looked around\.[\s\S]*plan mode on/, settleMs: 1_000 }],
    },
    {
      name: "interrupted",
      what: "user pressed Esc while the model was replying: the prompt is put back into the input box",
      prompt: "long job",
      turns: [{ delayMs: 20_000, text: "late" }],
      steps: [
        { wait: /esc to interrupt/, settleMs: 1_000, keys: ["Escape"] },
        { wait: /❯\s+long job\s*\n─/, settleMs: 1_500 },
      ],
    },
    {
      name: "trust-dialog",
      what: "folder not trusted yet",
      turns: [],
      home: (sb) => prepareClaudeHome(sb.home, {}),
      steps: [{ wait: /trust/i, settleMs: 800 }],
    },
    {
      name: "api-key-prompt",
      what: "custom API key not approved yet",
      turns: [],
      home: (sb, dir) =>
        prepareClaudeHome(sb.home, { apiKey: "sk-ant-other-key-not-the-one-in-use-000", trustedPaths: [dir] }),
      steps: [{ wait: /API key/i, settleMs: 800 }],
    },
    {
      name: "onboarding",
      what: "first run: onboarding not completed",
      turns: [],
      home: () => {},
      steps: [{ wait: /\S/, settleMs: 6_000 }],
    },
  ];
  const only = process.argv.slice(2);
  const queue = shots.filter((s) => only.length === 0 || only.includes(s.name));
  // Two at a time: ten Claude start-ups at once on two cores take longer than the wait timeouts.
  const worker = async () => {
    for (let shot = queue.shift(); shot; shot = queue.shift()) await capture(shot);
  };
  const capture = async (shot: Shot) => {
    const sb = makeSandbox("braid-capture-");
    const tmux = new TmuxTestServer(sb, shot.name);
    try {
      const dir = join(sb.root, "project");
      mkdirSync(dir);
      (shot.home ?? ((s: Sandbox, d: string) => prepareClaudeHome(s.home, { trustedPaths: [d] })))(sb, dir);
      const turns = JSON.parse(JSON.stringify(shot.turns).replaceAll("__DIR__", dir)) as Turn[];
      stub.scriptForCwd(dir, turns);
      const env = { ...claudeEnv(sb, stub.url, STUB_API_KEY), ...shot.env };
      // The prompt goes first: --allowedTools is variadic and would swallow it.
      const argv = [
        CLAUDE_BIN,
        ...(shot.args ?? []),
        ...(shot.prompt ? [shot.prompt] : []),
        ...(shot.allow ? ["--allowedTools", ...shot.allow] : []),
      ];
      const pane = tmux.newSession("cap", dir, argv, { env, width: 100, height: 30 });
      let screen = "";
      for (const step of shot.steps) {
        screen = await tmux.waitForScreen(pane, step.wait, 30_000);
        if (step.settleMs) await new Promise((r) => setTimeout(r, step.settleMs));
        screen = tmux.capture(pane);
        for (const k of step.keys ?? []) tmux.sendKeys(pane, k);
      }
      const body = screen.replaceAll(sb.root, "/tmp/braid-test-XXXXXX").replace(/\s+$/, "\n");
      const header = `# Real Claude Code ${CLAUDE_VERSION} screen (tmux capture-pane -p, 100x30): ${shot.what}.\n# Captured by test/kit/capture-screens.ts against the model stub.\n`;
      writeFileSync(join(OUT, `${shot.name}.txt`), header + body);
      console.log(`captured ${shot.name}`);
    } catch (e) {
      console.error(`FAILED ${shot.name}: ${(e as Error).message}`);
    } finally {
      await tmux.kill();
      sb.cleanup();
    }
  };
  await Promise.all([worker(), worker()]);
  for (const r of stub.requests)
    console.log(r.seq, r.method, r.path, r.kind, r.cwd, r.script, r.receivedAt, r.finishedAt);
  await stub.stop();
}

await main();
