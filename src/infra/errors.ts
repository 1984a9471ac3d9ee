/**
 * The one error type braid's core throws for problems a user can act on.
 * The CLI prints it as a single line: the problem, then the fix; never a stack trace.
 */
export class BraidError extends Error {
  readonly fix: string | undefined;
  readonly exitCode: number;

  constructor(message: string, fix?: string, exitCode = 1) {
    super(message);
    this.name = "BraidError";
    this.fix = fix;
    this.exitCode = exitCode;
  }

  /** One line: "problem — fix". */
  oneLine(): string {
    const msg = this.message.replace(/\s*\n\s*/g, " ").trim();
    return this.fix ? `${msg} — ${this.fix}` : msg;
  }
}

export function isBraidError(e: unknown): e is BraidError {
  return e instanceof BraidError;
}
