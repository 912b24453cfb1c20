/**
 * TURN relay credentials from our server (`GET <apiPrefix>/ice-servers`, docs/protocol.md): the
 * URLs of the server's coturn with a time-limited username/credential pair. Original servers do
 * not have the route (404): then there is no relay and nothing changes.
 */

export interface TurnGrant {
  servers: RTCIceServer[];
  /** When the credentials stop working (ms since the epoch). */
  expiresAt: number;
  /** Their lifetime as granted (ms). */
  ttlMs: number;
}

const MAX_SERVERS = 4;
const MAX_URLS = 8;
const MAX_FIELD = 512;

function turnUrls(v: unknown): string[] | null {
  const list = typeof v === 'string' ? [v] : Array.isArray(v) ? v : null;
  if (!list || list.length === 0 || list.length > MAX_URLS) return null;
  const urls = list.filter(
    (u): u is string =>
      typeof u === 'string' && u.length <= MAX_FIELD && /^(turns?|stuns?):[^\s]+$/.test(u),
  );
  return urls.length === list.length ? urls : null;
}

const field = (v: unknown) =>
  typeof v === 'string' && v.length > 0 && v.length <= MAX_FIELD ? v : null;

/** The grant in a response body, or null for anything malformed. */
export function parseTurnGrant(body: unknown, now: number): TurnGrant | null {
  if (typeof body !== 'object' || body === null) return null;
  const { iceServers, ttl } = body as { iceServers?: unknown; ttl?: unknown };
  if (!Array.isArray(iceServers) || iceServers.length === 0 || iceServers.length > MAX_SERVERS)
    return null;
  if (typeof ttl !== 'number' || !Number.isFinite(ttl) || ttl < 60 || ttl > 7 * 86400) return null;
  const servers: RTCIceServer[] = [];
  for (const s of iceServers as unknown[]) {
    if (typeof s !== 'object' || s === null) return null;
    const o = s as Record<string, unknown>;
    const urls = turnUrls(o.urls);
    const username = field(o.username);
    const credential = field(o.credential);
    if (!urls || !username || !credential) return null;
    servers.push({ urls, username, credential });
  }
  return { servers, expiresAt: now + ttl * 1000, ttlMs: ttl * 1000 };
}

/** Asks the server for relay credentials; null when it has none (or cannot be reached). */
export async function fetchTurnGrant(
  api: string,
  fetchImpl: typeof fetch = fetch,
): Promise<TurnGrant | null> {
  try {
    const res = await fetchImpl(`${api}/ice-servers`, {
      credentials: 'include',
      cache: 'no-store',
    });
    if (!res.ok) return null;
    return parseTurnGrant(await res.json(), Date.now());
  } catch {
    return null;
  }
}
