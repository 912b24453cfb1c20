import type { PeerView } from '../../rtc';

/** Filtered by node or display name. Unread first (newest first), then peers with activity (newest first), then newest joins. */
export function orderPeers(peers: PeerView[], search: string): PeerView[] {
  const q = search.trim().toLowerCase();
  return peers
    .filter(
      (p) =>
        !q ||
        p.name.toLowerCase().includes(q) ||
        !!p.account?.displayName?.toLowerCase().includes(q),
    )
    .sort((a, b) => {
      const ua = a.unread > 0 ? 1 : 0;
      const ub = b.unread > 0 ? 1 : 0;
      if (ua !== ub) return ub - ua;
      if (a.lastActivity !== b.lastActivity) return b.lastActivity - a.lastActivity;
      return b.registeredAt - a.registeredAt || a.nodeId.localeCompare(b.nodeId);
    });
}
