import {
  Button,
  Dialog,
  DialogActions,
  DialogContent,
  DialogContentText,
  DialogTitle,
} from '@mui/material';
import type { ChatItem } from '../../rtc';

/**
 * Asks before a message is deleted: the delete reaches the peer at once and cannot be taken
 * back (PROTOCOL.md 4.5). Enter deletes, Escape keeps the message.
 */
export function DeleteDialog({
  item,
  peerName,
  onClose,
  onDelete,
}: {
  item: ChatItem;
  peerName: string;
  onClose: () => void;
  onDelete: () => void;
}) {
  const what = item.file ? 'file' : 'message';
  return (
    <Dialog open onClose={onClose} aria-labelledby="delete-title" aria-describedby="delete-text">
      <DialogTitle id="delete-title">Delete this {what}?</DialogTitle>
      <DialogContent>
        <DialogContentText id="delete-text" sx={{ overflowWrap: 'anywhere' }}>
          It is removed for you and for {peerName}. This cannot be undone.
        </DialogContentText>
      </DialogContent>
      <DialogActions>
        <Button onClick={onClose}>Cancel</Button>
        <Button color="error" variant="contained" onClick={onDelete} autoFocus>
          Delete
        </Button>
      </DialogActions>
    </Dialog>
  );
}
