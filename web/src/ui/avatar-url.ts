import type { PeerView } from '../rtc';

/** Only signed-in accounts (and bots) have avatars; the API prefix is the server's, not /api. */
export function avatarUrl(apiBase: string, p: PeerView): string | undefined {
  if (p.authentication !== 'jwt' && p.authentication !== 'session') return undefined;
  return `${apiBase}/profile/avatar?username=${encodeURIComponent(p.name)}`;
}
