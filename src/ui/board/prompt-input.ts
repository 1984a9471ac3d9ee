/**
 * Keys into the board's inline prompt. A paste arrives as one chunk, Enter included ("task text\r"): every line
 * break in it submits the field typed so far, exactly as if the keys had come one by one, so a pasted answer is
 * never left in a prompt the user can no longer see.
 */
import type { Key } from "ink";
import type { PromptState } from "./model.js";

export interface PromptStep {
  /** The prompt still open (null once submitted or cancelled). */
  prompt: PromptState | null;
  /** Set when the last field was answered: the prompt with every answer, to act on. */
  submitted: PromptState | null;
}

// biome-ignore lint/suspicious/noControlCharactersInRegex: bracketed-paste markers and control characters
const PASTE_MARKERS = /\x1b?\[20[01]~/g;
// biome-ignore lint/suspicious/noControlCharactersInRegex: control characters other than line breaks
const CONTROL = /[\x00-\x09\x0b\x0c\x0e-\x1f\x7f]/g;

/** Advance to the next field with `value` as this one's answer (or submit after the last field). */
function answer(prompt: PromptState, value: string): PromptStep {
  const answers = [...prompt.answers, value];
  if (answers.length < prompt.fields.length) return { prompt: { ...prompt, answers, value: "" }, submitted: null };
  return { prompt: null, submitted: { ...prompt, answers, value: "" } };
}

export function typeIntoPrompt(prompt: PromptState, input: string, key: Key): PromptStep {
  if (key.escape && !input.includes("[200~")) return { prompt: null, submitted: null };
  if (key.return) return answer(prompt, prompt.value);
  if (key.backspace || key.delete) return { prompt: { ...prompt, value: prompt.value.slice(0, -1) }, submitted: null };
  if (!input || key.ctrl || key.meta) return { prompt, submitted: null };
  let current = prompt;
  const lines = input
    .replace(PASTE_MARKERS, "")
    .replace(/\r\n/g, "\r")
    .split(/[\r\n]/);
  for (let i = 0; i < lines.length; i++) {
    const value = current.value + (lines[i] ?? "").replace(CONTROL, "");
    if (i === lines.length - 1) return { prompt: { ...current, value }, submitted: null };
    const step = answer(current, value);
    // Text pasted after the last field's Enter has no field to go to: it is dropped, never taken as keys.
    if (!step.prompt) return step;
    current = step.prompt;
  }
  return { prompt: current, submitted: null };
}
