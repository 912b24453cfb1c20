import ArrowDownwardIcon from '@mui/icons-material/ArrowDownward';
import { Box, Button, Divider, Typography } from '@mui/material';
import {
  Fragment,
  memo,
  useCallback,
  useDeferredValue,
  useEffect,
  useLayoutEffect,
  useMemo,
  useRef,
  useState,
} from 'react';
import type { ChatItem } from '../../rtc';
import { MessageBubble, type BubbleActions } from './MessageBubble';
import { formatDate } from './time-format';

/** A divider's label wraps inside the pane (MUI keeps it on one line: a long name ran off). */
const WRAPPING_DIVIDER = {
  '& .MuiDivider-wrapper': {
    whiteSpace: 'normal',
    overflowWrap: 'anywhere',
    flexShrink: 0,
    maxWidth: '85%',
    textAlign: 'center',
  },
  '&::before, &::after': { minWidth: 12 },
} as const;

function dayLabel(ts: number): string {
  const d = new Date(ts);
  const today = new Date();
  const yesterday = new Date(Date.now() - 86400000);
  if (d.toDateString() === today.toDateString()) return 'Today';
  if (d.toDateString() === yesterday.toDateString()) return 'Yesterday';
  return formatDate(ts);
}

/** Messages rendered at first, and how many more "Show earlier messages" adds. */
export const PAGE = 200;

/**
 * Where each conversation was read when another one was opened (PROTOCOL.md 7.6 keeps this
 * too): the message at the top of the view and how far it was from the top. Not kept for a
 * conversation left at its newest message, which opens there again.
 */
interface SavedScroll {
  anchor: string;
  offset: number;
  limit: number;
}
const savedScroll = new Map<string, SavedScroll>();
const MAX_SAVED_SCROLL = 200;

function topMessage(box: HTMLElement, list: HTMLElement): { id: string; offset: number } | null {
  const top = box.getBoundingClientRect().top;
  for (const li of list.querySelectorAll<HTMLElement>('[data-message-id]')) {
    const r = li.getBoundingClientRect();
    if (r.bottom > top) return { id: li.dataset.messageId ?? '', offset: r.top - top };
  }
  return null;
}

/**
 * Messages with day separators; follows new messages while scrolled near the bottom. Memoised:
 * it re-renders when the messages change, not on every RTT sample of the conversation header.
 * Only the newest PAGE messages are in the DOM until the user asks for earlier ones: a peer
 * sending thousands of messages in a burst re-rendered the whole list for every one of them
 * (minutes of frozen tab for 10 000).
 */
export const MessageList = memo(function MessageList({
  items: current,
  peerName,
  actions,
  scrollKey,
  unread = 0,
  onReadingNewest,
}: {
  items: ChatItem[];
  peerName: string;
  actions: BubbleActions;
  /** Keeps the reading position under this key when the list goes (another chat opened). */
  scrollKey?: string;
  /** Messages not seen yet (they came while the list was scrolled up): a button leads to them. */
  unread?: number;
  /** Told whether the newest messages are in view (scrolled to the bottom), when that changes. */
  onReadingNewest?: (atBottom: boolean) => void;
}) {
  // New messages render in the background, in slices the page's other events run between: a
  // file's first card kept the sender from its channel's open event and the receiver's ACK for
  // 30-70 ms (docs/benchmarks.md).
  const items = useDeferredValue(current);
  const box = useRef<HTMLDivElement>(null);
  const list = useRef<HTMLUListElement>(null);
  // Read once, at mount: where this conversation was left.
  const [restore] = useState(() => {
    const saved = scrollKey === undefined ? undefined : savedScroll.get(scrollKey);
    const at = saved ? items.findIndex((m) => m.id === saved.anchor) : -1;
    return saved && at >= 0
      ? { ...saved, limit: Math.max(saved.limit, items.length - at) }
      : undefined;
  });
  const following = useRef(!restore);
  /** Whether the newest messages are in view, for the button and the caller. */
  const [atBottom, setAtBottom] = useState(!restore);
  const reading = useRef(onReadingNewest);
  reading.current = onReadingNewest;
  const follow = useCallback((now: boolean) => {
    following.current = now;
    setAtBottom(now);
  }, []);
  useEffect(() => {
    reading.current?.(atBottom);
  }, [atBottom]);
  const lastId = useRef<string | undefined>(restore ? items[items.length - 1]?.id : undefined);
  const [limit, setLimit] = useState(restore?.limit ?? PAGE);
  useLayoutEffect(() => {
    const el = box.current;
    const ul = list.current;
    if (restore && el && ul) {
      const li = ul.querySelector<HTMLElement>(`[data-message-id="${CSS.escape(restore.anchor)}"]`);
      if (li) {
        const now = li.getBoundingClientRect().top - el.getBoundingClientRect().top;
        el.scrollTop += now - restore.offset;
      }
      // Opened where it was left, the newest may be in view all the same (a larger window).
      if (el.scrollHeight - el.scrollTop - el.clientHeight < 50) follow(true);
    }
    return () => {
      if (scrollKey === undefined) return;
      savedScroll.delete(scrollKey);
      // Still in the document here: layout cleanups run before the list is removed.
      const top = el && ul && !following.current ? topMessage(el, ul) : null;
      if (!top) return;
      savedScroll.set(scrollKey, { anchor: top.id, offset: top.offset, limit: limitRef.current });
      if (savedScroll.size > MAX_SAVED_SCROLL)
        savedScroll.delete(savedScroll.keys().next().value as string);
    };
    // eslint-disable-next-line react-hooks/exhaustive-deps -- mount and unmount only
  }, []);
  const limitRef = useRef(limit);
  limitRef.current = limit;
  /** Distance from the bottom kept while earlier messages are added above. */
  const keepFromBottom = useRef<number | null>(null);
  const shown = items.length > limit ? items.slice(-limit) : items;
  const hidden = items.length - shown.length;
  useLayoutEffect(() => {
    const el = box.current;
    const last = items[items.length - 1];
    // Sending a message brings you to it, wherever you were reading.
    if (last && last.id !== lastId.current && last.out) follow(true);
    lastId.current = last?.id;
    if (el && following.current) el.scrollTop = el.scrollHeight;
  }, [items, follow]);
  useLayoutEffect(() => {
    const el = box.current;
    if (!el || keepFromBottom.current === null) return;
    el.scrollTop = el.scrollHeight - keepFromBottom.current;
    keepFromBottom.current = null;
  }, [limit]);
  // Content or viewport changing size (an image or video loaded, the diagnostics panel opened,
  // the keyboard on a phone) keeps the newest message in view while following.
  useEffect(() => {
    const el = box.current;
    if (!el || typeof ResizeObserver === 'undefined') return;
    const observer = new ResizeObserver(() => {
      if (following.current) el.scrollTop = el.scrollHeight;
    });
    observer.observe(el);
    if (list.current) observer.observe(list.current);
    return () => observer.disconnect();
  }, []);
  const stableActions = useMemo(() => actions, [actions]);

  return (
    <Box
      ref={box}
      onScroll={(e) => {
        const el = e.currentTarget;
        follow(el.scrollHeight - el.scrollTop - el.clientHeight < 50);
      }}
      sx={{ flex: 1, overflowY: 'auto', px: { xs: 1, sm: 2 }, py: 1 }}
    >
      {hidden > 0 && (
        <Box sx={{ textAlign: 'center', my: 1 }}>
          <Button
            size="small"
            onClick={() => {
              const el = box.current;
              if (el) keepFromBottom.current = el.scrollHeight - el.scrollTop;
              setLimit((l) => l + PAGE);
            }}
          >
            Show earlier messages ({hidden})
          </Button>
        </Box>
      )}
      <Box
        component="ul"
        ref={list}
        aria-label={`Messages with ${peerName}`}
        aria-live="polite"
        sx={{ p: 0, m: 0 }}
      >
        {shown.map((m, i) => {
          const prev = shown[i - 1];
          const newDay =
            !prev ||
            new Date(prev.timestamp).toDateString() !== new Date(m.timestamp).toDateString();
          return (
            <Fragment key={m.id}>
              {m.restored && !prev?.restored && (
                <Box component="li" sx={{ listStyle: 'none', my: 1 }}>
                  <Divider sx={WRAPPING_DIVIDER}>
                    <Typography variant="caption" color="textSecondary">
                      Earlier messages with someone named {peerName}, kept in this browser
                    </Typography>
                  </Divider>
                </Box>
              )}
              {!m.restored && prev?.restored && (
                <Box component="li" sx={{ listStyle: 'none', my: 1 }}>
                  <Divider sx={WRAPPING_DIVIDER}>
                    <Typography variant="caption" color="textSecondary">
                      This connection
                    </Typography>
                  </Divider>
                </Box>
              )}
              {newDay && (
                <Box component="li" sx={{ listStyle: 'none', my: 1 }} aria-hidden>
                  <Divider sx={WRAPPING_DIVIDER}>
                    <Typography variant="caption" color="textSecondary">
                      {dayLabel(m.timestamp)}
                    </Typography>
                  </Divider>
                </Box>
              )}
              <MessageBubble item={m} authorName={peerName} actions={stableActions} />
            </Fragment>
          );
        })}
      </Box>
      {items.length === 0 && (
        <Typography color="textSecondary" sx={{ textAlign: 'center', mt: 4 }}>
          No messages yet. Say hello!
        </Typography>
      )}
      {!atBottom && unread > 0 && (
        <Box sx={{ position: 'sticky', bottom: 8, display: 'flex', justifyContent: 'center' }}>
          <Button
            variant="contained"
            size="small"
            startIcon={<ArrowDownwardIcon />}
            onClick={() => {
              const el = box.current;
              if (el) el.scrollTop = el.scrollHeight;
              follow(true);
            }}
          >
            {unread === 1 ? '1 new message' : `${unread > 99 ? '99+' : unread} new messages`}
          </Button>
        </Box>
      )}
    </Box>
  );
});
