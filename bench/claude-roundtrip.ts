/**
 * What one real Claude Code run costs in tests: `claude -p` against the local model stub, text-only and with
 * one tool call, against the bare process start (`claude --version`) measured in the same run.
 *   npm run bench -- claude-roundtrip [runs]
 */
import { mkdirSync } from "node:fs";
import { join } from "node:path";
import { claudeAvailable, claudeEnv, prepareClaudeHome, runClaude } from "../test/helpers/claude.js";
import { makeSandbox } from "../test/helpers/env.js";
import { startModelStub } from "../test/helpers/model-stub.js";
import { median } from "./summary.js";

const runs = Number(process.argv[2] ?? 3);

async function main(): Promise<void> {
  if (!claudeAvailable()) {
    console.log("claude not installed: skipped");
    return;
  }
  const sb = makeSandbox("braid-bench-");
  const stub = await startModelStub();
  prepareClaudeHome(sb.home);
  const env = claudeEnv(sb, stub.url);
  const times: Record<string, number[]> = { version: [], text: [], tool: [] };
  try {
    for (let i = 0; i < runs; i++) {
      const dir = join(sb.root, `run${i}`);
      mkdirSync(dir);
      times.version!.push((await runClaude(dir, env, ["--version"])).ms);
      stub.scriptForCwd(dir, [
        { text: "hi" },
        { toolUse: { name: "Write", input: { file_path: join(dir, "a.txt"), content: "a" } } },
        { text: "done" },
      ]);
      const text = await runClaude(dir, env, ["-p", "say hi"]);
      if (text.code !== 0) throw new Error(`claude -p failed: ${text.stderr}`);
      times.text!.push(text.ms);
      const tool = await runClaude(dir, env, ["-p", "write a.txt", "--allowedTools", "Write"]);
      if (tool.code !== 0) throw new Error(`claude -p failed: ${tool.stderr}`);
      times.tool!.push(tool.ms);
    }
  } finally {
    await stub.stop();
    sb.cleanup();
  }
  const base = median(times.version!);
  console.log(`runs: ${runs} (median ms; ratio against 'claude --version' in the same run)`);
  console.log(`claude --version            ${base} ms   1.0x`);
  for (const [k, label] of [
    ["text", "claude -p, text reply"],
    ["tool", "claude -p, one Write call"],
  ] as const) {
    const m = median(times[k]!);
    console.log(`${label.padEnd(28)}${m} ms   ${(m / base).toFixed(1)}x`);
  }
}

await main();
