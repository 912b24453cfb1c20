import SmartToyOutlinedIcon from '@mui/icons-material/SmartToyOutlined';
import VerifiedIcon from '@mui/icons-material/Verified';
import { Box, Chip, Tooltip } from '@mui/material';
import type { PeerIdentity } from './identity';

/**
 * "Signed in" check and "Bot" chip after a peer's name. `focusable` lets keyboard users open
 * the tooltip where the badges are not inside a button (the conversation header).
 */
export function IdentityBadges({
  identity,
  focusable = false,
}: {
  identity: PeerIdentity;
  focusable?: boolean;
}) {
  if (!identity.signedIn) return null;
  return (
    <Box
      component="span"
      sx={{ display: 'inline-flex', alignItems: 'center', gap: 0.5, flexShrink: 0 }}
    >
      <Tooltip title={identity.detail} disableInteractive>
        <VerifiedIcon
          role="img"
          aria-hidden={false}
          aria-label="Signed in"
          tabIndex={focusable ? 0 : undefined}
          color="primary"
          sx={{ fontSize: 18 }}
        />
      </Tooltip>
      {identity.bot && (
        <Tooltip title="Bot account, registered on this server" disableInteractive>
          <Chip
            icon={<SmartToyOutlinedIcon />}
            label="Bot"
            size="small"
            color="secondary"
            variant="outlined"
            tabIndex={focusable ? 0 : undefined}
            sx={{ height: 20, fontSize: 12, '& .MuiChip-icon': { fontSize: 14, ml: 0.5 } }}
          />
        </Tooltip>
      )}
    </Box>
  );
}
