// Test-only: a PeerView with neutral defaults (a visitor, online, not connected).
import type { PeerView } from '../state';

export function makePeer(nodeId: string, name: string, extra: Partial<PeerView> = {}): PeerView {
  return {
    nodeId,
    name,
    colorIndex: 0,
    authentication: 'none',
    isBot: false,
    registeredAt: 0,
    attributes: {},
    online: true,
    connection: 'none',
    chatOpen: false,
    supportsFiles: false,
    unread: 0,
    lastActivity: 0,
    ...extra,
  };
}
