import { Box, Button } from '@mui/material';
import { useState } from 'react';
import { Markdown } from './Markdown';

/** A message longer than this (characters or lines) shows its beginning and "Show more". */
export const LONG_CHARS = 16 * 1024;
export const LONG_LINES = 200;

/** The beginning of a long text (with "…"), or null when the text is short enough to show whole. */
export function cutLong(text: string): string | null {
  let end = text.length > LONG_CHARS ? LONG_CHARS : text.length;
  let lines = 0;
  for (let i = text.indexOf('\n'); i !== -1 && i < end; i = text.indexOf('\n', i + 1)) {
    if (++lines >= LONG_LINES) end = i;
  }
  if (end >= text.length) return null;
  if (/[\uD800-\uDBFF]/.test(text[end - 1] ?? '')) end--;
  return `${text.slice(0, end)}…`;
}

/**
 * A message's text, pre-wrapped, long ones folded: 64 Ki characters of short lines laid out in
 * full took the browser seconds per message (sixty of them: 4 s stalls, 300 MB), whatever the rest of
 * the page did.
 */
export function MessageText({ text, className }: { text: string; className?: string }) {
  const [whole, setWhole] = useState(false);
  const cut = whole ? null : cutLong(text);
  return (
    <>
      <Box className={className} sx={{ whiteSpace: 'pre-wrap' }}>
        <Markdown text={cut ?? text} />
      </Box>
      {cut !== null && (
        <Button size="small" color="inherit" onClick={() => setWhole(true)} sx={{ px: 0.5 }}>
          Show more
        </Button>
      )}
    </>
  );
}
