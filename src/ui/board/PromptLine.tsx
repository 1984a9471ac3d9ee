/** The inline prompt (`n`, `s`, `p`): shows the answers so far and the field being typed. */
import { Box, Text } from "ink";
import type { PromptState } from "./model.js";

export function PromptLine({ prompt }: { prompt: PromptState }) {
  const field = prompt.fields[prompt.answers.length] ?? "";
  return (
    <Box>
      {prompt.answers.map((a, i) => (
        <Text key={prompt.fields[i]} dimColor>
          {prompt.fields[i]}: {a} ·{" "}
        </Text>
      ))}
      <Text color="cyan" bold>
        {field}:{" "}
      </Text>
      <Text>{prompt.value}</Text>
      <Text inverse> </Text>
      <Text dimColor> (enter ok · esc cancel)</Text>
    </Box>
  );
}
