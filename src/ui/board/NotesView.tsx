/** `o` view: notes between sessions, newest last; `p` posts one. */
import { Box, Text } from "ink";
import type { BoardNote } from "./model.js";

export function NotesView({ notes, height }: { notes: BoardNote[]; height: number }) {
  const shown = notes.slice(-Math.max(1, height - 2));
  return (
    <Box flexDirection="column">
      <Text bold>Notes {notes.length ? `(${notes.filter((n) => n.unread).length} unread)` : "— none yet"}</Text>
      {shown.map((n) => (
        <Text key={`${n.at}-${n.from}-${n.text}`} bold={n.unread} wrap="truncate">
          {n.unread ? "● " : "  "}
          <Text dimColor>{n.at.slice(11, 16)} </Text>
          <Text color="cyan">{n.from}</Text>
          {n.to ? ` → ${n.to}` : " → all"}: {n.text}
        </Text>
      ))}
      <Text dimColor>p post a note · esc/o back</Text>
    </Box>
  );
}
