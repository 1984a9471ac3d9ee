/** Text given as "-" is read from stdin (for long or binary-ish text that argv cannot carry). */
export async function readStdin(): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const c of process.stdin) chunks.push(c as Buffer);
  return Buffer.concat(chunks).toString("utf8");
}

/** Words from argv joined by spaces, or stdin when the only word is "-". */
export async function textArg(words: string[]): Promise<string> {
  if (words.length === 1 && words[0] === "-") return readStdin();
  return words.join(" ");
}
