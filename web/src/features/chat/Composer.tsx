import AttachFileIcon from '@mui/icons-material/AttachFile';
import SendIcon from '@mui/icons-material/Send';
import { IconButton, Stack, TextField, Tooltip, useMediaQuery } from '@mui/material';
import { memo, useRef, useState } from 'react';

/** Memoised: the conversation re-renders on every RTT sample, the composer need not. */
export const Composer = memo(function Composer(props: {
  ready: boolean;
  canAttach: boolean;
  onSend: (text: string) => void;
  onFiles: (files: File[]) => void;
}) {
  const [text, setText] = useState('');
  // The full hint where there is room; one short line on a phone.
  const wide = useMediaQuery('(min-width:600px)');
  const fileInput = useRef<HTMLInputElement>(null);
  const send = () => {
    if (!props.ready || !text.trim()) return;
    props.onSend(text);
    setText('');
  };
  return (
    <Stack
      component="form"
      direction="row"
      sx={{ alignItems: 'flex-end', gap: 1, p: 1, borderTop: 1, borderColor: 'divider' }}
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
            : 'Waiting for the connection…'
        }
        multiline
        maxRows={8}
        fullWidth
        size="small"
        value={text}
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
        disabled={!props.ready || !text.trim()}
      >
        <SendIcon />
      </IconButton>
    </Stack>
  );
});
