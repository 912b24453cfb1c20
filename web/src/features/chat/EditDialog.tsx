import {
  Button,
  Dialog,
  DialogActions,
  DialogContent,
  DialogTitle,
  TextField,
} from '@mui/material';
import { useState } from 'react';

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
  return (
    <Dialog open onClose={onClose} fullWidth aria-labelledby="edit-title">
      <DialogTitle id="edit-title">Edit message</DialogTitle>
      <DialogContent>
        <TextField
          label="Edited message"
          value={text}
          onChange={(e) => setText(e.target.value)}
          // As in the composer: Enter saves, Shift+Enter is a new line.
          onKeyDown={(e) => {
            if (e.key === 'Enter' && !e.shiftKey && !e.nativeEvent.isComposing) {
              e.preventDefault();
              if (text.trim()) onSave(text);
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
        <Button variant="contained" disabled={!text.trim()} onClick={() => onSave(text)}>
          Save
        </Button>
      </DialogActions>
    </Dialog>
  );
}
