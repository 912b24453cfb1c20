import { useEffect, useState } from 'react';
import { ConnectScreen, type ConnectRequest } from '../features/connect/ConnectScreen';
import { storage } from '../ui/prefs';
import { TincanClient } from '../rtc';
import { ChatShell } from './ChatShell';
import { ClientContext } from '../ui/client-context';
import { useNotifications } from './notifications';

export function App() {
  const [client, setClient] = useState<TincanClient | null>(null);

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
    setClient(
      new TincanClient({
        // 'memory' keeps received files as Blob parts instead of the private file system.
        receiveToDisk: storage.get('tincan_receive_to') !== 'memory',
        server: r.server,
        name: r.name,
        colorIndex: r.color,
        origin: location.origin,
      }),
    );
  };

  if (!client) return <ConnectScreen onConnect={connect} />;
  return (
    <ClientContext.Provider value={client}>
      <ChatShell
        onLogout={() => {
          storage.set('pinned_server', null);
          setClient(null);
        }}
      />
    </ClientContext.Provider>
  );
}
