import AttachFileIcon from '@mui/icons-material/AttachFile';
import SendIcon from '@mui/icons-material/Send';
import {
  Alert,
  Box,
  Button,
  IconButton,
  Stack,
  TextField,
  Tooltip,
  Typography,
  useMediaQuery,
} from '@mui/material';
import { memo, useEffect, useMemo, useRef, useState } from 'react';
import { COUNTER_FROM, groupDigits, measureText, TEXT_LIMIT } from './text-limit';

/** Memoised: the conversation re-renders on every RTT sample, the composer need not. */
export const Composer = memo(function Composer(props: {
  ready: boolean;
  canAttach: boolean;
  onSend: (text: string) => void;
  onFiles: (files: File[]) => void;
  /**
   * Take the focus once the box can be used (a conversation was just opened), unless the user
   * has moved on from the peer list meanwhile.
   */
  focusWhenReady?: boolean;
  /** Why the box cannot be used yet, instead of "Waiting for the connection…". */
  notReadyText?: string;
  /** The peer's largest data-channel message in bytes (bots: 64 KiB), where known. */
  maxFrameBytes?: number;
}) {
  const [text, setText] = useState('');
  // The full hint where there is room; one short line on a phone.
  const wide = useMediaQuery('(min-width:600px)');
  const fileInput = useRef<HTMLInputElement>(null);
  const root = useRef<HTMLDivElement>(null);
  const focusPending = useRef(!!props.focusWhenReady);
  useEffect(() => {
    if (!props.ready || !focusPending.current) return;
    focusPending.current = false;
    const at = document.activeElement;
    if (at && at !== document.body && !at.closest('nav')) return;
    root.current?.querySelector<HTMLElement>('textarea:not([aria-hidden])')?.focus();
  }, [props.ready]);
  // A receiver cuts a longer text (text-limit.ts): refused here instead of cut there.
  const size = useMemo(
    () => measureText(text, 'message', props.maxFrameBytes),
    [text, props.maxFrameBytes],
  );
  const send = () => {
    if (!props.ready || !text.trim() || !size.fits) return;
    props.onSend(text);
    setText('');
  };
  const sendAsFile = () => {
    if (!props.ready || !props.canAttach) return;
    props.onFiles([new File([text], 'message.txt', { type: 'text/plain' })]);
    setText('');
    // The button goes with the warning: the focus returns to the message box, not the page.
    root.current?.querySelector<HTMLElement>('textarea:not([aria-hidden])')?.focus();
  };
  return (
    <Box ref={root} sx={{ borderTop: 1, borderColor: 'divider' }}>
      {!size.fits && (
        <Alert
          severity="warning"
          sx={{ mx: 1, mt: 1 }}
          action={
            props.canAttach ? (
              <Button color="inherit" size="small" disabled={!props.ready} onClick={sendAsFile}>
                Send as a file
              </Button>
            ) : undefined
          }
        >
          {size.frameTooLarge
            ? 'Too long for one message once encoded.'
            : `Too long for one message (at most ${groupDigits(TEXT_LIMIT)} characters).`}{' '}
          {props.canAttach
            ? 'Send it as a text file instead, or shorten it.'
            : 'This peer cannot receive files: shorten it.'}
        </Alert>
      )}
      <Stack
        component="form"
        direction="row"
        sx={{ alignItems: 'flex-end', gap: 1, p: 1 }}
        onSubmit={(e) => {
          e.preventDefault();
          send();
        }}
      >
        <input
          ref={fileInput}
          type="file"
          multiple
          hidden
          aria-label="Choose files to send"
          onChange={(e) => {
            const files = Array.from(e.target.files ?? []);
            e.target.value = '';
            if (files.length) props.onFiles(files);
          }}
        />
        <Tooltip title={props.canAttach ? 'Attach files' : 'This peer cannot receive files'}>
          <span>
            <IconButton
              aria-label="Attach files"
              disabled={!props.ready || !props.canAttach}
              onClick={() => fileInput.current?.click()}
            >
              <AttachFileIcon />
            </IconButton>
          </span>
        </Tooltip>
        <TextField
          label="Message"
          placeholder={
            props.ready
              ? wide
                ? 'Write a message (Markdown, Shift+Enter for a new line)'
                : 'Write a message'
              : (props.notReadyText ?? 'Waiting for the connection…')
          }
          multiline
          maxRows={8}
          fullWidth
          size="small"
          value={text}
          error={!size.fits}
          {...(size.length >= COUNTER_FROM || !size.fits
            ? {
                helperText: (
                  <Typography component="span" variant="caption" data-testid="text-counter">
                    {groupDigits(size.length)} / {groupDigits(TEXT_LIMIT)}
                  </Typography>
                ),
              }
            : {})}
          disabled={!props.ready}
          onChange={(e) => setText(e.target.value)}
          onKeyDown={(e) => {
            if (e.key === 'Enter' && !e.shiftKey && !e.nativeEvent.isComposing) {
              e.preventDefault();
              send();
            }
          }}
          onPaste={(e) => {
            const files = Array.from(e.clipboardData.files);
            if (files.length && props.canAttach) {
              e.preventDefault();
              props.onFiles(files);
            }
          }}
        />
        <IconButton
          type="submit"
          color="primary"
          aria-label="Send"
          disabled={!props.ready || !text.trim() || !size.fits}
        >
          <SendIcon />
        </IconButton>
      </Stack>
    </Box>
  );
});
