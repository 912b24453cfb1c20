import {
  Alert,
  Box,
  Button,
  CircularProgress,
  MenuItem,
  Paper,
  Stack,
  TextField,
  Typography,
} from '@mui/material';
import { useEffect, useState } from 'react';
import type { ServerEntry } from '../../protocol';
import { loadPreference, savePreference, storage } from '../../ui/prefs';
import { fetchLoggedIn, fetchLoginStatus, fetchServers, logout, safeLoginUrl } from './servers';

/** How often the login status is asked again while the connect screen shows (PROTOCOL.md 7.11). */
export const LOGIN_POLL_MS = 3000;

export interface ConnectRequest {
  server: ServerEntry;
  name: string;
  color: number | undefined;
}

/** Server selection, login status and the visitor form (PROTOCOL.md 7.2). */
export function ConnectScreen({ onConnect }: { onConnect: (r: ConnectRequest) => void }) {
  const [servers, setServers] = useState<ServerEntry[] | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [serverId, setServerId] = useState<string>(() => storage.get('current_server') ?? '');
  const [name, setName] = useState(() => loadPreference().name ?? '');
  const [login, setLogin] = useState<{ loggedIn: boolean; name?: string } | null>(null);

  // Loads the server list; after a failure it tries again by itself (every 5 s) and on demand.
  const [attempt, setAttempt] = useState(0);
  useEffect(() => {
    let live = true;
    let timer: ReturnType<typeof setTimeout> | undefined;
    fetchServers()
      .then((list) => {
        if (!live) return;
        setError(null);
        setServers(list);
      })
      .catch(() => {
        if (!live) return;
        setError('The server cannot be reached right now.');
        timer = setTimeout(() => setAttempt((n) => n + 1), 5000);
      });
    return () => {
      live = false;
      if (timer) clearTimeout(timer);
    };
  }, [attempt]);

  const server = servers?.find((s) => s.id === serverId) ?? servers?.[0];

  // Asked again after signing out (loginCheck).
  const [loginCheck, setLoginCheck] = useState(0);
  const [signOutFailed, setSignOutFailed] = useState(false);
  useEffect(() => {
    if (!server) return;
    let live = true;
    let known: boolean | null = null;
    const load = () =>
      fetchLoginStatus(server, location.origin).then((l) => {
        if (!live) return;
        known = l.loggedIn;
        setLogin(l);
      });
    void load();
    // As the original (PROTOCOL.md 7.11), the status is asked again every 3 s while this screen
    // shows, so signing in or out in another tab shows here; the profile only when it changed.
    const timer = setInterval(() => {
      if (known === null || document.visibilityState !== 'visible') return;
      void fetchLoggedIn(server, location.origin).then((now) => {
        if (live && now !== null && now !== known) void load();
      });
    }, LOGIN_POLL_MS);
    return () => {
      live = false;
      clearInterval(timer);
    };
  }, [server, loginCheck]);

  async function signOut(s: ServerEntry) {
    setSignOutFailed(false);
    const done = await logout(s, location.origin);
    if (!done) setSignOutFailed(true);
    setLogin(null);
    setLoginCheck((n) => n + 1);
  }

  // A pinned server reconnects on page load, as the original, once its login status is known:
  // a signed-in user registers with an empty name (the server puts the account's in).
  useEffect(() => {
    if (!servers) return;
    const pinned = servers.find((s) => s.id === storage.get('pinned_server'));
    if (!pinned) return;
    let live = true;
    void fetchLoginStatus(pinned, location.origin).then((l) => live && connect(pinned, l.loggedIn));
    return () => {
      live = false;
    };
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [servers]);

  /**
   * Registers with the visitor preference (name and colour), or an empty name and no colour when
   * signed in (PROTOCOL.md 7.2: the preference is sent only when not logged in; it stays saved
   * for a visit without the account).
   */
  function connect(s: ServerEntry | undefined = server, loggedIn = !!login?.loggedIn) {
    if (!s) return;
    const pref = loadPreference();
    const chosen = loggedIn ? '' : name.trim();
    if (!loggedIn) savePreference({ ...pref, name: chosen || undefined });
    storage.set('pinned_server', s.id);
    onConnect({ server: s, name: chosen, color: loggedIn ? undefined : pref.indexOfPreferColor });
  }

  return (
    <Box sx={{ display: 'grid', placeItems: 'center', minHeight: '100dvh', p: 2 }}>
      <Paper component="main" sx={{ p: 4, width: '100%', maxWidth: 420 }} elevation={2}>
        <Typography variant="h4" component="h1" gutterBottom>
          Tincan
        </Typography>
        <Typography color="textSecondary" gutterBottom>
          Chat and share files directly between browsers.
        </Typography>
        {error && (
          <Alert
            severity="error"
            action={
              <Button color="inherit" size="small" onClick={() => setAttempt((n) => n + 1)}>
                Retry
              </Button>
            }
          >
            Could not load the server list. {error} Trying again…
          </Alert>
        )}
        {!servers && !error && (
          <Stack direction="row" sx={{ alignItems: 'center', gap: 1, my: 2 }}>
            <CircularProgress size={20} /> <span>Loading servers…</span>
          </Stack>
        )}
        {servers?.length === 0 && <Alert severity="warning">No servers found</Alert>}
        {server && (
          <Stack
            component="form"
            sx={{ gap: 2, mt: 2 }}
            onSubmit={(e) => {
              e.preventDefault();
              connect();
            }}
          >
            <TextField
              select
              label="Server"
              value={server.id}
              onChange={(e) => {
                setServerId(e.target.value);
                storage.set('current_server', e.target.value);
              }}
            >
              {servers?.map((s) => (
                <MenuItem key={s.id} value={s.id}>
                  {s.name}
                </MenuItem>
              ))}
            </TextField>
            {login === null && (
              <Typography color="textSecondary">Fetching login status…</Typography>
            )}
            {login?.loggedIn && (
              <Stack direction="row" sx={{ alignItems: 'center', gap: 1 }}>
                <Typography sx={{ flex: 1, minWidth: 0, overflowWrap: 'anywhere' }}>
                  Logged in as {login.name ?? 'unknown'}
                </Typography>
                <Button size="small" onClick={() => void signOut(server)}>
                  Sign out
                </Button>
              </Stack>
            )}
            {signOutFailed && (
              <Alert severity="error">Could not sign out: the server did not confirm it.</Alert>
            )}
            {login &&
              !login.loggedIn &&
              server.idp.map((p, i) => {
                const href = safeLoginUrl(p.loginUrl, location.origin);
                return href ? (
                  <Button key={i} variant="outlined" href={href}>
                    {p.kind === 'github'
                      ? 'Sign in with GitHub'
                      : p.kind === 'kioubit'
                        ? 'Authenticate with Kioubit.dn42'
                        : p.name
                          ? `Login with ${p.name}`
                          : 'Login'}
                  </Button>
                ) : null;
              })}
            {login && !login.loggedIn && server.allowAnonymous && (
              <>
                <Typography color="textSecondary">
                  {server.idp.length ? 'Or connect as a visitor:' : 'Connect as a visitor:'}
                </Typography>
                <TextField
                  label="Pick a username"
                  helperText="Leave empty for an assigned name"
                  value={name}
                  onChange={(e) => setName(e.target.value.slice(0, 64))}
                  autoFocus
                />
              </>
            )}
            <Button
              type="submit"
              variant="contained"
              size="large"
              disabled={!login || (!login.loggedIn && !server.allowAnonymous)}
            >
              Connect
            </Button>
          </Stack>
        )}
      </Paper>
    </Box>
  );
}
