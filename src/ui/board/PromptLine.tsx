/** The inline prompt (`n`, `s`, `p`): the field being typed, with earlier answers kept short. */
import { Box, Text } from "ink";
import type { PromptState } from "./model.js";

export function PromptLine({ prompt }: { prompt: PromptState }) {
  const field = prompt.fields[prompt.answers.length] ?? "";
  return (
    <Box>
      <Box flexShrink={0}>
        {prompt.answers.length ? <Text dimColor>{prompt.answers.join(" · ")} · </Text> : null}
        <Text color="cyan" bold>
          {field}:{" "}
        </Text>
      </Box>
      <Text wrap="truncate-start">
        {prompt.value}
        <Text inverse> </Text>
      </Text>
    </Box>
  );
}
