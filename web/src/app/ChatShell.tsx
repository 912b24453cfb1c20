import EditIcon from '@mui/icons-material/Edit';
import LogoutIcon from '@mui/icons-material/Logout';
import NoAccountsIcon from '@mui/icons-material/NoAccounts';
import {
  Alert,
  AppBar,
  Box,
  Chip,
  Drawer,
  IconButton,
  Stack,
  Toolbar,
  Tooltip,
  Typography,
  useMediaQuery,
  useTheme,
} from '@mui/material';
import { useEffect, useState } from 'react';
import { Conversation } from '../features/chat/Conversation';
import { DiagnosticsPanel } from '../features/diagnostics/DiagnosticsPanel';
import { formatRtt } from '../ui/format';
import { PeerAvatar } from '../ui/PeerAvatar';
import { PeerList } from '../features/peers/PeerList';
import { PreferencesDialog } from '../features/settings/PreferencesDialog';
import { loadPreference, RELAY_ONLY_KEY, savePreference, storage } from '../ui/prefs';
import { ThemeToggle } from '../features/settings/ThemeToggle';
import { colorIndex, isSignedIn } from '../protocol';
import { useAppState, useClient } from '../ui/client-context';
import { peerIdentity } from '../ui/identity';
import { IdentityBadges } from '../ui/IdentityBadges';
import { clampPanel, PANEL_WIDTH, PanelResizer } from './PanelResizer';

const STATUS: Record<
  string,
  { label: string; color: 'success' | 'warning' | 'error' | 'default' }
> = {
  online: { label: 'Online', color: 'success' },
  connecting: { label: 'Connecting…', color: 'warning' },
  offline: { label: 'Offline', color: 'error' },
  idle: { label: 'Disconnected', color: 'default' },
};

/** Re-rendered on each WebSocket echo sample, alone. */
function ServerRtt() {
  const wsRtt = useAppState((s) => s.wsRtt);
  const online = useAppState((s) => s.status === 'online');
  // No stale figure while the server is unreachable.
  return (
    <Typography variant="caption" color="textSecondary" noWrap component="div">
      Server RTT {online ? formatRtt(wsRtt) : '—'}
    </Typography>
  );
}

export function ChatShell({
  onLogout,
  onSignOut,
}: {
  onLogout: () => void;
  /** Signs the browser out of its account (shown only while signed in), then disconnects. */
  onSignOut?: () => void;
}) {
  const client = useClient();
  const status = useAppState((s) => s.status);
  const name = useAppState((s) => s.name);
  const color = useAppState((s) => s.colorIndex);
  const authentication = useAppState((s) => s.authentication);
  const isBot = useAppState((s) => s.isBot);
  const account = useAppState((s) => s.account);
  const relayOnly = useAppState((s) => s.relayOnly);
  const relayAvailable = useAppState((s) => s.relayAvailable);
  const active = useAppState((s) => s.activePeer);
  // A number, so RTT samples and other peer updates do not re-render the shell.
  const totalUnread = useAppState((s) => Object.values(s.peers).reduce((n, p) => n + p.unread, 0));
  const [prefsOpen, setPrefsOpen] = useState(false);
  const [drawerOpen, setDrawerOpen] = useState(false);
  const [panelWidth, setPanelWidth] = useState(() => clampPanel(PANEL_WIDTH));
  const wide = useMediaQuery(useTheme().breakpoints.up('md'));

  // A narrower window narrows a panel that would take over 80 % of it.
  useEffect(() => {
    const fit = () => setPanelWidth((w) => clampPanel(w));
    window.addEventListener('resize', fit);
    return () => window.removeEventListener('resize', fit);
  }, []);

  useEffect(() => {
    document.title = totalUnread ? `(${totalUnread}) Tincan` : 'Tincan';
  }, [totalUnread]);

  // PROTOCOL.md 7.3: the account's display name, else the username, else the node name.
  const me = peerIdentity({ name, authentication, isBot, account }, client.apiBase);
  const st = STATUS[status] ?? { label: 'Disconnected', color: 'default' as const };
  const drawer = (width: number | string) => (
    <Box sx={{ display: 'flex', flexDirection: 'column', height: '100%', width }}>
      <Stack direction="row" sx={{ alignItems: 'center', gap: 1, p: 2 }}>
        <PeerAvatar
          name={name ? me.displayName : '?'}
          colorIndex={colorIndex(color === undefined ? undefined : String(color), name)}
          size={48}
          src={me.avatarSrc}
        />
        <Box sx={{ minWidth: 0, flex: 1 }}>
          <Stack direction="row" sx={{ alignItems: 'center', gap: 0.75, minWidth: 0 }}>
            <Typography
              variant="subtitle1"
              noWrap
              data-testid="own-name"
              {...(name ? { title: me.displayName } : {})}
            >
              {name ? me.displayName : '…'}
            </Typography>
            <IdentityBadges identity={me} focusable />
          </Stack>
          <ServerRtt />
        </Box>
        <Stack direction="row" sx={{ flexShrink: 0 }}>
          <Tooltip title="Preferences">
            <IconButton size="small" aria-label="Preferences" onClick={() => setPrefsOpen(true)}>
              <EditIcon />
            </IconButton>
          </Tooltip>
          <Tooltip title="Disconnect">
            <IconButton size="small" aria-label="Disconnect" onClick={onLogout}>
              <LogoutIcon />
            </IconButton>
          </Tooltip>
          {onSignOut && isSignedIn(authentication) && !isBot && (
            <Tooltip title="Sign out of your account">
              <IconButton size="small" aria-label="Sign out" onClick={onSignOut}>
                <NoAccountsIcon />
              </IconButton>
            </Tooltip>
          )}
        </Stack>
      </Stack>
      <PeerList onSelected={() => setDrawerOpen(false)} />
    </Box>
  );

  return (
    <Box sx={{ display: 'flex', flexDirection: 'column', height: '100dvh' }}>
      <AppBar position="static" elevation={0} enableColorOnDark>
        <Toolbar variant="dense">
          <Typography variant="h6" component="h1" sx={{ flex: 1 }}>
            Tincan
          </Typography>
          <Chip
            size="small"
            label={st.label}
            color={st.color}
            role="status"
            aria-label={`Signalling: ${st.label}`}
            sx={{ mr: 1 }}
          />
          <ThemeToggle />
        </Toolbar>
      </AppBar>
      {status === 'offline' && (
        <Alert severity="warning" role="alert">
          The signalling server is unreachable; reconnecting. Open chats keep working.
        </Alert>
      )}
      <Box sx={{ display: 'flex', flex: 1, minHeight: 0 }}>
        {wide && (
          <Box
            component="nav"
            aria-label="Peer list"
            sx={{
              width: panelWidth,
              flexShrink: 0,
              borderRight: 1,
              borderColor: 'divider',
              display: 'flex',
              position: 'relative',
            }}
          >
            {drawer('100%')}
            <PanelResizer width={panelWidth} onWidth={setPanelWidth} />
          </Box>
        )}
        {!wide && active && (
          <Drawer open={drawerOpen} onClose={() => setDrawerOpen(false)} variant="temporary">
            <Box component="nav" aria-label="Peer list" sx={{ height: '100%' }}>
              {drawer('min(88vw, 340px)')}
            </Box>
          </Drawer>
        )}
        <Box component="main" sx={{ flex: 1, minWidth: 0, bgcolor: 'background.default' }}>
          {active ? (
            <Conversation
              key={active}
              peerId={active}
              onOpenPeers={wide ? undefined : () => setDrawerOpen(true)}
              diagnostics={(peer) => <DiagnosticsPanel peer={peer} />}
            />
          ) : wide ? (
            <Box sx={{ display: 'grid', placeItems: 'center', height: '100%' }}>
              <Typography color="textSecondary">Select a chat to start messaging</Typography>
            </Box>
          ) : (
            // Phone width with no chat open: the peer list is the page.
            <Box component="nav" aria-label="Peer list" sx={{ height: '100%', display: 'flex' }}>
              {drawer('100%')}
            </Box>
          )}
        </Box>
      </Box>
      {prefsOpen && (
        <PreferencesDialog
          open
          name={name}
          // Chosen, or none (the dialog then shows the one derived from the name).
          color={color}
          onClose={() => setPrefsOpen(false)}
          relayOnly={relayOnly}
          relayAvailable={relayAvailable}
          onSave={(n, c, relay) => {
            savePreference({
              ...loadPreference(),
              name: n,
              ...(c !== undefined ? { indexOfPreferColor: c } : {}),
            });
            storage.set(RELAY_ONLY_KEY, relay ? '1' : null);
            client.setRelayOnly(relay);
            client.rename(n, c);
            setPrefsOpen(false);
          }}
        />
      )}
    </Box>
  );
}
