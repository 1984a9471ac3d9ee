/** Bottom lines: cascade queue vs limit, scaling advice, last message, and the keys. */
import { Box, Text } from "ink";
import type { QueueFigures } from "./model.js";

export const KEYS_HELP = "←→ select ⏎ attach n new s send m merge x stop d diff c conflicts o notes q quit";

export function Footer({
  queue,
  recommendation,
  message,
  error,
}: {
  queue: QueueFigures;
  recommendation: string | null;
  message: string | null;
  error: string | null;
}) {
  const full = queue.running >= queue.limit;
  return (
    <Box flexDirection="column">
      <Box>
        {/* the figures never shrink: only the recommendation gives way on a narrow terminal */}
        <Box flexShrink={0}>
          <Text color={full ? "yellow" : "green"}>
            running {queue.running}/{queue.limit}
          </Text>
          <Text color={queue.queued ? "blue" : undefined} dimColor={!queue.queued}>
            {"  "}queue {queue.queued}
          </Text>
        </Box>
        {recommendation ? (
          <Text dimColor wrap="truncate">
            {"  "}· {recommendation}
          </Text>
        ) : null}
      </Box>
      {error ? (
        <Text color="red" wrap="truncate">
          {error}
        </Text>
      ) : message ? (
        <Text color="cyan" wrap="truncate">
          {message}
        </Text>
      ) : (
        <Text dimColor wrap="truncate">
          {KEYS_HELP}
        </Text>
      )}
    </Box>
  );
}
