/** Command actions return their exit code; commander does not, so it is kept here for runProgram. */
let resultCode = 0;

/** Wrap an action so its returned number becomes braid's exit code. */
export function act<A extends unknown[]>(fn: (...args: A) => Promise<number | undefined> | number | undefined) {
  return async (...args: A): Promise<void> => {
    const code = await fn(...args);
    if (typeof code === "number") resultCode = code;
  };
}

/** The code the last action returned (0 if none did), resetting it for the next run. */
export function takeResultCode(): number {
  const code = resultCode;
  resultCode = 0;
  return code;
}
