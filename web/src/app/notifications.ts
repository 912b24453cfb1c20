import { useEffect } from 'react';
import type { TincanClient } from '../rtc';

/** Desktop notifications for new messages while the tab is hidden (with permission). */
export function useNotifications(client: TincanClient | null) {
  useEffect(() => {
    if (!client || typeof Notification === 'undefined') return;
    if (Notification.permission === 'default') {
      const ask = () => void Notification.requestPermission();
      window.addEventListener('pointerdown', ask, { once: true });
    }
    return client.on('incoming', ({ name, preview }) => {
      if (document.visibilityState !== 'hidden' || Notification.permission !== 'granted') return;
      try {
        new Notification(name, { body: preview, tag: 'tincan' });
      } catch {
        /* some platforms only allow notifications from a service worker */
      }
    });
  }, [client]);
}
