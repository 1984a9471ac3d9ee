/**
 * What to answer when a session waits on a screen: the set-up screens an agent shows before its first
 * prompt (Claude's folder trust, API-key and onboarding screens) and its permission prompts. Shown in
 * `status` and on the board next to the detail, so the user never has to attach just to find out.
 */

/** `detail` as status shows it, with the command that answers the screen (`trust dialog: braid send auth 1`). */
export function withAnswerHint(detail: string | null, session: string): string | null {
  if (!detail) return detail;
  if (/^(trust dialog|api-key prompt)$/.test(detail)) return `${detail}: braid send ${session} 1`;
  if (detail === "onboarding")
    return `onboarding (first-run setup, could not reach Anthropic?): braid attach ${session}`;
  if (/^permission prompt\b/.test(detail)) return `${detail} — allow: braid send ${session} 1`;
  return detail;
}
