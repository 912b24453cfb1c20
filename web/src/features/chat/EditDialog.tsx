import {
  Button,
  Dialog,
  DialogActions,
  DialogContent,
  DialogTitle,
  TextField,
} from '@mui/material';
import { useMemo, useState } from 'react';
import { COUNTER_FROM, groupDigits, measureText, TEXT_LIMIT } from './text-limit';

export function EditDialog({
  initial,
  onClose,
  onSave,
}: {
  initial: string;
  onClose: () => void;
  onSave: (text: string) => void;
}) {
  const [text, setText] = useState(initial);
  // An edit travels as a whole message inside the amend: the same limit as the composer's.
  const size = useMemo(() => measureText(text, 'edit'), [text]);
  const canSave = !!text.trim() && size.fits;
  return (
    <Dialog open onClose={onClose} fullWidth aria-labelledby="edit-title">
      <DialogTitle id="edit-title">Edit message</DialogTitle>
      <DialogContent>
        <TextField
          label="Edited message"
          value={text}
          onChange={(e) => setText(e.target.value)}
          error={!size.fits}
          {...(size.length >= COUNTER_FROM || !size.fits
            ? {
                helperText: size.fits
                  ? `${groupDigits(size.length)} / ${groupDigits(TEXT_LIMIT)}`
                  : `${groupDigits(size.length)} / ${groupDigits(TEXT_LIMIT)}: too long for one ${
                      size.frameTooLarge ? 'message once encoded' : 'message'
                    }; shorten it`,
              }
            : {})}
          // As in the composer: Enter saves, Shift+Enter is a new line.
          onKeyDown={(e) => {
            if (e.key === 'Enter' && !e.shiftKey && !e.nativeEvent.isComposing) {
              e.preventDefault();
              if (canSave) onSave(text);
            }
          }}
          multiline
          fullWidth
          autoFocus
          margin="dense"
        />
      </DialogContent>
      <DialogActions>
        <Button onClick={onClose}>Cancel</Button>
        <Button variant="contained" disabled={!canSave} onClick={() => onSave(text)}>
          Save
        </Button>
      </DialogActions>
    </Dialog>
  );
}
