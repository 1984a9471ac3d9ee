/** What the swarm tells each kind of agent, and the JSON schema of a reviewer's verdict. */

import type { Subtask } from "./plan.js";
import type { Issue } from "./record.js";

/** Reviewer foci, assigned round-robin to `--architects` reviewers. */
export const REVIEW_FOCI = [
  "functional completeness against the task",
  "security",
  "code quality (readability, structure, tests, error handling)",
];

export const VERDICT_JSON_SCHEMA = {
  type: "object",
  properties: {
    verdict: { type: "string", enum: ["PASS", "FAIL"] },
    summary: { type: "string" },
    issues: {
      type: "array",
      items: {
        type: "object",
        properties: {
          id: { type: "string" },
          severity: { type: "string", enum: ["critical", "high", "medium", "low"] },
          file: { type: "string" },
          line: { type: "integer" },
          description: { type: "string" },
          fix: { type: "string" },
        },
        required: ["id", "severity", "description", "fix"],
      },
    },
  },
  required: ["verdict", "issues"],
} as const;

function memoryBlock(memory: string | undefined): string {
  return memory ? `\n\nProject memory and notes:\n${memory}` : "";
}

export function plannerPrompt(task: string, memory: string | undefined, previousErrors?: string[]): string {
  const retry = previousErrors?.length
    ? `\n\nYour previous plan was rejected:\n${previousErrors.map((e) => `- ${e}`).join("\n")}\nAnswer again with a corrected plan.`
    : "";
  return `[braid swarm planner] Decompose this task into subtasks for parallel executor agents.

Task: ${task}

Rules:
- Group subtasks into batches that run in order (e.g. interfaces and types first, then implementations, then tests).
- Subtasks in the same batch run at the same time in separate worktrees: they must not own the same file.
- "owns" lists the repo-relative files or directories a subtask may create or change.
- "depends_on" may only name subtasks of earlier batches.
- Answer with JSON only: {"batches":[{"subtasks":[{"id","title","instructions","owns","depends_on"}]}]}.${memoryBlock(memory)}${retry}`;
}

export function executorPrompt(task: string, s: Subtask, memory: string | undefined): string {
  const owns = s.owns.includes("**") ? "any file in the repository" : s.owns.join(", ");
  return `[braid swarm executor ${s.id}] You are one of several executors working in parallel on: ${task}

Your subtask ${s.id} — ${s.title}:
${s.instructions}

Only create or change: ${owns}. Other executors change other files at the same time.
Work in the current directory. braid commits your changes when you finish; reply with a short summary.${memoryBlock(memory)}`;
}

export function fixerPrompt(task: string, owner: Subtask | null, issues: Issue[], memory: string | undefined): string {
  const list = issues
    .map(
      (i) =>
        `- ${i.id} [${i.severity}]${i.file ? ` ${i.file}${i.line ? `:${i.line}` : ""}` : ""}: ${i.description} — fix: ${i.fix}`,
    )
    .join("\n");
  const scope = owner ? `You own ${owner.owns.join(", ")} (subtask ${owner.id} — ${owner.title}).` : "";
  return `[braid swarm fixer] Reviewers found issues in the work on: ${task}
${scope}
Fix these issues (by id):
${list}

Work in the current directory. braid commits your changes; reply with the ids you fixed.${memoryBlock(memory)}`;
}

export function reviewerPrompt(task: string, focus: string, diff: string): string {
  return `[braid swarm reviewer: ${focus}] Review the combined change below for this task: ${task}

Focus only on ${focus}. Answer PASS when there is nothing that must change; otherwise FAIL with issues
(id, severity, file, line, description, fix). Answer with JSON only: {"verdict","summary","issues"}.

${diff}`;
}
