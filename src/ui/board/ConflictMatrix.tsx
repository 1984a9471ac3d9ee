/** `c` view: which sessions would conflict with which, as a matrix (✗ = conflict, · = clean). */
import { Box, Text } from "ink";
import type { SessionView } from "../../session/types.js";

export function ConflictMatrix({ views, width }: { views: SessionView[]; width: number }) {
  const names = views.map((v) => v.name);
  const cell = Math.max(3, Math.min(10, ...names.map((n) => n.length + 1)));
  const label = Math.min(16, Math.max(6, ...names.map((n) => n.length + 1)));
  const fitting = Math.max(1, Math.floor((width - label) / cell));
  const cols = views.slice(0, fitting);
  const conflicts = (a: SessionView, b: SessionView) =>
    a.conflictsWith.includes(b.name) || b.conflictsWith.includes(a.name);
  const any = views.some((v) => v.conflictsWith.length > 0);
  return (
    <Box flexDirection="column">
      <Text bold>Conflict matrix {any ? "" : "— no conflicts between sessions"}</Text>
      <Box>
        <Text>{"".padEnd(label)}</Text>
        {cols.map((c) => (
          <Text key={c.name} bold>
            {c.name.slice(0, cell - 1).padEnd(cell)}
          </Text>
        ))}
      </Box>
      {views.map((row) => (
        <Box key={row.name}>
          <Text bold>{row.name.slice(0, label - 1).padEnd(label)}</Text>
          {cols.map((c) =>
            c.name === row.name ? (
              <Text key={c.name} dimColor>
                {"—".padEnd(cell)}
              </Text>
            ) : conflicts(row, c) ? (
              <Text key={c.name} color="red" bold>
                {"✗".padEnd(cell)}
              </Text>
            ) : (
              <Text key={c.name} dimColor>
                {"·".padEnd(cell)}
              </Text>
            ),
          )}
        </Box>
      ))}
      <Text dimColor>esc/c back · merge order is the cascade: resolve a conflict in the newer session</Text>
    </Box>
  );
}
