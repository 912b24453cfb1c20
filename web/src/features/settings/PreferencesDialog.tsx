import {
  Box,
  Button,
  Dialog,
  DialogActions,
  DialogContent,
  DialogTitle,
  FormControlLabel,
  FormHelperText,
  Switch,
  TextField,
  Tooltip,
  Typography,
  useTheme,
} from '@mui/material';
import { useState } from 'react';
import { colorIndex, COLORS } from '../../protocol';

export function PreferencesDialog(props: {
  open: boolean;
  name: string;
  /**
   * The colour the user chose, if any. Without one the colour derived from the name (as typed) is
   * shown selected, and saved as no choice: as in the original, whose rename carries
   * `indexOfPreferColor` only once a swatch is picked, peers then derive it from the new name.
   */
  color: number | undefined;
  /** Relay-only connections: the user's choice, and whether this server offers a relay. */
  relayOnly?: boolean;
  relayAvailable?: boolean;
  onClose: () => void;
  onSave: (name: string, color: number | undefined, relayOnly: boolean) => void;
}) {
  const [name, setName] = useState(props.name);
  const [color, setColor] = useState(props.color);
  const [relayOnly, setRelayOnly] = useState(props.relayOnly ?? false);
  const shown = color ?? colorIndex(undefined, name.trim());
  const dark = useTheme().palette.mode === 'dark';
  return (
    <Dialog open={props.open} onClose={props.onClose} aria-labelledby="prefs-title">
      <DialogTitle id="prefs-title">Preferences</DialogTitle>
      <DialogContent>
        <TextField
          label="Display name"
          value={name}
          onChange={(e) => setName(e.target.value.slice(0, 64))}
          fullWidth
          margin="dense"
          autoFocus
          helperText={`${name.length}/64 characters`}
          slotProps={{ htmlInput: { maxLength: 64 } }}
        />
        <Typography id="prefs-colour" variant="body2" color="textSecondary" sx={{ mt: 2 }}>
          Colour
        </Typography>
        <Box
          role="radiogroup"
          aria-labelledby="prefs-colour"
          sx={{ display: 'flex', gap: 1, mt: 1, flexWrap: 'wrap' }}
        >
          {COLORS.map((c, i) => (
            <Tooltip key={c.name} title={c.name}>
              <Box
                component="button"
                type="button"
                role="radio"
                aria-checked={shown === i}
                aria-label={c.name}
                onClick={() => setColor(i)}
                sx={{
                  width: 32,
                  height: 32,
                  borderRadius: '50%',
                  cursor: 'pointer',
                  // The tone avatars use in this mode.
                  bgcolor: dark ? c.light : c.dark,
                  border: 3,
                  borderColor: shown === i ? 'text.primary' : 'transparent',
                }}
              />
            </Tooltip>
          ))}
        </Box>
        <FormControlLabel
          sx={{ mt: 2 }}
          control={
            <Switch
              checked={relayOnly}
              onChange={(e) => setRelayOnly(e.target.checked)}
              slotProps={{ input: { 'aria-describedby': 'prefs-relay-help' } }}
            />
          }
          label="Connect through the server's relay only"
        />
        <FormHelperText id="prefs-relay-help" sx={{ mx: 0 }}>
          {props.relayAvailable
            ? 'Peers then never learn your IP address; messages and files take a detour through the relay.'
            : 'This server offers no relay: connections stay direct until it does.'}
        </FormHelperText>
      </DialogContent>
      <DialogActions>
        <Button onClick={props.onClose}>Cancel</Button>
        <Button
          variant="contained"
          onClick={() => props.onSave(name.trim(), color, relayOnly)}
          disabled={!name.trim()}
        >
          Save
        </Button>
      </DialogActions>
    </Dialog>
  );
}
