import AccessTimeIcon from '@mui/icons-material/AccessTime';
import DoneIcon from '@mui/icons-material/Done';
import ErrorOutlineIcon from '@mui/icons-material/ErrorOutlineOutlined';
import MoreVertIcon from '@mui/icons-material/MoreVert';
import { Button, IconButton, Menu, MenuItem, Paper, Stack, Typography } from '@mui/material';
import { memo, useState } from 'react';
import type { ChatItem } from '../../rtc';
import { FileCard } from '../../ui/FileCard';
import { AudioCard } from './AudioCard';
import { MessageText } from './MessageText';
import { formatTime } from './time-format';

export interface BubbleActions {
  onEdit: (id: string) => void;
  onDelete: (id: string) => void;
  onRetry: (id: string) => void;
  onCancel: (id: string) => void;
}

export const MessageBubble = memo(function MessageBubble({
  item,
  authorName,
  actions,
}: {
  item: ChatItem;
  authorName: string;
  actions: BubbleActions;
}) {
  const [menu, setMenu] = useState<HTMLElement | null>(null);
  const time = formatTime(item.timestamp);
  const canEdit = item.out && !item.file;
  return (
    <Stack
      component="li"
      role="listitem"
      aria-label={`${item.out ? 'You' : authorName} at ${time}`}
      data-message-id={item.id}
      data-direction={item.out ? 'out' : 'in'}
      data-status={item.status ?? ''}
      direction="row"
      sx={{ justifyContent: item.out ? 'flex-end' : 'flex-start', listStyle: 'none', my: 0.5 }}
    >
      <Paper
        elevation={0}
        sx={{
          px: 1.5,
          py: 1,
          maxWidth: 'min(80%, 640px)',
          // A message that could not be delivered stands out (red), not only by its small icon.
          bgcolor: item.out
            ? item.status === 'failed'
              ? 'error.main'
              : 'primary.main'
            : 'background.paper',
          color: item.out
            ? item.status === 'failed'
              ? 'error.contrastText'
              : 'primary.contrastText'
            : 'text.primary',
          border: item.out ? 0 : 1,
          borderColor: 'divider',
          wordBreak: 'break-word',
          // A link keeps the bubble's text colour; on our own (primary) bubble it is underlined
          // in that colour too (the theme's faint primary underline vanished on primary).
          '& a': item.out
            ? { color: 'inherit', textDecorationColor: 'currentColor', fontWeight: 600 }
            : { color: 'inherit' },
        }}
      >
        {item.trackId && <AudioCard trackId={item.trackId} label={item.text} />}
        {item.file && (
          <FileCard
            file={item.file}
            out={item.out}
            {...(item.restored ? { restored: true } : {})}
            onCancel={() => actions.onCancel(item.id)}
          />
        )}
        {!item.trackId && item.text !== undefined && (
          <MessageText className="message-text" text={item.text} />
        )}
        {item.rich !== undefined && <MessageText text={item.rich} />}
        <Stack
          direction="row"
          // Subdued beside the text, except on our own (primary) bubble: there white is just
          // readable as it is (4.6:1), any fainter is not.
          sx={{
            alignItems: 'center',
            justifyContent: 'flex-end',
            gap: 0.5,
            mt: 0.5,
            opacity: item.out ? 1 : 0.8,
          }}
        >
          {item.edited && <Typography variant="caption">edited</Typography>}
          <Typography variant="caption">{time}</Typography>
          {item.out && item.status === 'pending' && (
            <AccessTimeIcon sx={{ fontSize: 14 }} titleAccess="Sending" />
          )}
          {/* A file's card tells its own progress; the tick would only mean "announced". */}
          {item.out && item.status === 'delivered' && !item.file && (
            <DoneIcon sx={{ fontSize: 14 }} titleAccess="Delivered" />
          )}
          {item.out && item.status === 'failed' && (
            <>
              <ErrorOutlineIcon sx={{ fontSize: 14 }} aria-hidden />
              <Typography variant="caption" sx={{ fontWeight: 600 }}>
                Not delivered
              </Typography>
              {!item.file && (
                <Button
                  size="small"
                  color="inherit"
                  onClick={() => actions.onRetry(item.id)}
                  sx={{ minWidth: 0, py: 0 }}
                >
                  Retry
                </Button>
              )}
            </>
          )}
          {item.out && (
            <IconButton
              size="small"
              color="inherit"
              aria-label="Message actions"
              onClick={(e) => setMenu(e.currentTarget)}
              sx={{ p: 0 }}
            >
              <MoreVertIcon sx={{ fontSize: 16 }} />
            </IconButton>
          )}
        </Stack>
        <Menu open={!!menu} anchorEl={menu} onClose={() => setMenu(null)}>
          {canEdit && (
            <MenuItem
              onClick={() => {
                setMenu(null);
                actions.onEdit(item.id);
              }}
            >
              Edit
            </MenuItem>
          )}
          <MenuItem
            onClick={() => {
              setMenu(null);
              actions.onDelete(item.id);
            }}
          >
            Delete
          </MenuItem>
        </Menu>
      </Paper>
    </Stack>
  );
});
