import { useEffect, useState } from 'react';
import { ConnectScreen, type ConnectRequest } from '../features/connect/ConnectScreen';
import { logout } from '../features/connect/servers';
import type { ServerEntry } from '../protocol';
import { largeFileSetting, RELAY_ONLY_KEY, storage } from '../ui/prefs';
import { TincanClient } from '../rtc';
import { ChatShell } from './ChatShell';
import { ClientContext } from '../ui/client-context';
import { Box } from '@mui/material';
import { ThemeToggle } from '../features/settings/ThemeToggle';
import { installDropGuard } from './drop-guard';
import { useNotifications } from './notifications';

export function App() {
  const [client, setClient] = useState<TincanClient | null>(null);
  const [server, setServer] = useState<ServerEntry | null>(null);

  useEffect(() => installDropGuard(), []);

  // start/stop are idempotent, so StrictMode's double mount is harmless.
  useEffect(() => {
    if (!client) return;
    client.start();
    const online = () => client.reconnectNow();
    // Leaving the page (reload, close, navigation) closes every connection at once, so peers see
    // this visitor go now instead of when their connection times out.
    const hide = () => client.stop();
    const show = (e: PageTransitionEvent) => e.persisted && client.start();
    window.addEventListener('pagehide', hide);
    window.addEventListener('pageshow', show);
    const visible = () => document.visibilityState === 'visible' && client.markActiveRead();
    window.addEventListener('online', online);
    document.addEventListener('visibilitychange', visible);
    return () => {
      window.removeEventListener('online', online);
      window.removeEventListener('pagehide', hide);
      window.removeEventListener('pageshow', show);
      document.removeEventListener('visibilitychange', visible);
      client.stop();
    };
  }, [client]);
  useNotifications(client);

  const connect = (r: ConnectRequest) => {
    setServer(r.server);
    setClient(
      new TincanClient({
        // 'memory' keeps received files as Blob parts instead of the private file system.
        receiveToDisk: storage.get('tincan_receive_to') !== 'memory',
        ...largeFileSetting(),
        relayOnly: storage.get(RELAY_ONLY_KEY) === '1',
        server: r.server,
        name: r.name,
        colorIndex: r.color,
        origin: location.origin,
      }),
    );
  };

  if (!client)
    return (
      <>
        <Box sx={{ position: 'fixed', top: 8, right: 8 }}>
          <ThemeToggle />
        </Box>
        <ConnectScreen onConnect={connect} />
      </>
    );
  const disconnect = () => {
    storage.set('pinned_server', null);
    setClient(null);
  };
  return (
    <ClientContext.Provider value={client}>
      <ChatShell
        onLogout={disconnect}
        // PROTOCOL.md 7.3 "Logout": POST <apiPrefix>/logout, unpin, close the connection; the
        // connect screen then reads the login status again.
        onSignOut={() => {
          if (server) void logout(server, location.origin).finally(disconnect);
          else disconnect();
        }}
      />
    </ClientContext.Provider>
  );
}
