import type { IdentityProvider, ServerEntry } from '../../protocol';
import { resolveUrls } from '../../rtc';

/** Validates `/servers.json` (PROTOCOL.md 7.9); malformed entries are skipped. */
export function parseServers(raw: unknown): ServerEntry[] {
  if (!Array.isArray(raw)) return [];
  const out: ServerEntry[] = [];
  for (const e of raw) {
    if (typeof e !== 'object' || e === null) continue;
    const o = e as Record<string, unknown>;
    if (typeof o.id !== 'string' || typeof o.url !== 'string') continue;
    // A provider needs only its login URL: the original's buttons go by `kind` ("Login" for a
    // kind it does not know) and never show `name` (PROTOCOL.md 7.2).
    const idp: IdentityProvider[] = Array.isArray(o.idp)
      ? o.idp.flatMap((i) => {
          const p = (typeof i === 'object' && i !== null ? i : {}) as Record<string, unknown>;
          const text = (v: unknown) => (typeof v === 'string' ? v : '');
          return typeof p.loginUrl === 'string'
            ? [{ name: text(p.name), kind: text(p.kind), loginUrl: p.loginUrl }]
            : [];
        })
      : [];
    out.push({
      id: o.id,
      name: typeof o.name === 'string' ? o.name : o.id,
      url: o.url,
      apiPrefix: typeof o.apiPrefix === 'string' ? o.apiPrefix : '/api',
      iceServers: Array.isArray(o.iceServers)
        ? o.iceServers.filter((s): s is string => typeof s === 'string')
        : [],
      idp,
      // As the original's `{allowAnonymous && ...}`: the visitor form only where it says true.
      allowAnonymous: o.allowAnonymous === true,
    });
  }
  return out;
}

export async function fetchServers(): Promise<ServerEntry[]> {
  const res = await fetch('/servers.json', { cache: 'no-store' });
  if (!res.ok) throw new Error(`servers.json: HTTP ${res.status}`);
  return parseServers(await res.json());
}

/** Only http(s) login URLs are followed (no javascript: from a hostile servers.json). */
export function safeLoginUrl(url: string, origin: string): string | null {
  try {
    const u = new URL(url, origin);
    return u.protocol === 'https:' || u.protocol === 'http:' ? u.href : null;
  } catch {
    return null;
  }
}

function apiOf(server: ServerEntry, origin: string): string {
  return resolveUrls(server, origin).api;
}

/**
 * Signs the browser's session out of its account (PROTOCOL.md 2.2: POST, with the session
 * cookie); true when the server confirmed it.
 */
export async function logout(server: ServerEntry, origin: string): Promise<boolean> {
  try {
    const res = await fetch(`${apiOf(server, origin)}/logout`, {
      method: 'POST',
      credentials: 'include',
    });
    return res.ok;
  } catch {
    return false;
  }
}

/** `{apiPrefix}/profile/status` alone: whether this browser's session is signed in (null: unknown). */
export async function fetchLoggedIn(server: ServerEntry, origin: string): Promise<boolean | null> {
  try {
    const res = await fetch(`${apiOf(server, origin)}/profile/status`, { credentials: 'include' });
    if (!res.ok) return null;
    const status = (await res.json()) as { logged_in?: unknown };
    return status.logged_in === true;
  } catch {
    return null;
  }
}

export async function fetchLoginStatus(
  server: ServerEntry,
  origin: string,
): Promise<{ loggedIn: boolean; name?: string }> {
  const api = apiOf(server, origin);
  try {
    const res = await fetch(`${api}/profile/status`, { credentials: 'include' });
    if (!res.ok) return { loggedIn: false };
    const status = (await res.json()) as { logged_in?: unknown };
    if (status.logged_in !== true) return { loggedIn: false };
    const p = await fetch(`${api}/profile`, { credentials: 'include' });
    const profile = p.ok ? ((await p.json()) as { username?: unknown; displayName?: unknown }) : {};
    const name =
      typeof profile.displayName === 'string'
        ? profile.displayName
        : typeof profile.username === 'string'
          ? profile.username
          : undefined;
    return name ? { loggedIn: true, name } : { loggedIn: true };
  } catch {
    return { loggedIn: false };
  }
}
