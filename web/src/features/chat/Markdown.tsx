import { Box, Link } from '@mui/material';
import { Fragment, type ReactNode } from 'react';
import { parseMarkdown, type Inline } from '../../protocol';

/** Renders the safe Markdown subset; every string becomes a React text node (escaped). */
export function Markdown({ text }: { text: string }) {
  return (
    <>
      {parseMarkdown(text).map((b, i) => {
        switch (b.t) {
          case 'p':
            return (
              <Box component="p" key={i} sx={{ m: 0, '& + &': { mt: 1 } }}>
                {inline(b.c)}
              </Box>
            );
          case 'pre':
            return (
              <Box
                component="pre"
                key={i}
                sx={{
                  m: 0,
                  p: 1,
                  borderRadius: 1,
                  bgcolor: 'action.hover',
                  overflowX: 'auto',
                  fontSize: 13,
                }}
              >
                <code>{b.v}</code>
              </Box>
            );
          case 'quote':
            return (
              <Box
                component="blockquote"
                key={i}
                // The bubble's own text colour (a grey was unreadable on our primary bubbles); a
                // bar in that colour sets the quote apart.
                sx={{ m: 0, pl: 1, borderLeft: 3, borderColor: 'currentColor' }}
              >
                {inline(b.c)}
              </Box>
            );
          case 'ul':
            return (
              <Box component="ul" key={i} sx={{ my: 0, pl: 3 }}>
                {b.items.map((it, j) => (
                  <li key={j}>{inline(it)}</li>
                ))}
              </Box>
            );
        }
      })}
    </>
  );
}

function inline(nodes: Inline[]): ReactNode {
  return nodes.map((n, i) => {
    switch (n.t) {
      case 'text':
        return <Fragment key={i}>{n.v}</Fragment>;
      case 'br':
        return <br key={i} />;
      case 'code':
        return (
          <Box
            component="code"
            key={i}
            sx={{ px: 0.5, borderRadius: 0.5, bgcolor: 'action.hover', fontSize: '0.9em' }}
          >
            {n.v}
          </Box>
        );
      case 'strong':
        return <strong key={i}>{inline(n.c)}</strong>;
      case 'em':
        return <em key={i}>{inline(n.c)}</em>;
      case 'del':
        return <del key={i}>{inline(n.c)}</del>;
      case 'link':
        return (
          <Link
            key={i}
            href={n.href}
            target="_blank"
            rel="noopener noreferrer nofollow"
            sx={{ wordBreak: 'break-all' }}
          >
            {inline(n.c)}
          </Link>
        );
    }
  });
}
