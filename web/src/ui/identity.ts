import { isSignedIn } from '../protocol';
import type { PeerView } from '../rtc';

/** How a peer is shown: everything here comes from the server (`/conns`, `/profile`). */
export interface PeerIdentity {
  /** The account's display name for signed-in peers that have one, else the node name. */
  displayName: string;
  signedIn: boolean;
  bot: boolean;
  /** Tooltip text of the badges, e.g. "Signed in with a bot token (JWT) as @echo_bot". */
  detail: string;
  /** The account's avatar through the server's proxy (the apiPrefix is the server's, not /api). */
  avatarSrc?: string;
  /** Accessible name of a peer row: name, then what the badges say. */
  label: string;
}

const HOW: Record<string, string> = {
  jwt: 'Signed in with a bot token (JWT)',
  session: 'Signed in with an account (GitHub or Kioubit)',
};

/**
 * Badges, display name and avatar of a peer. Names are not identities: only the server's word
 * (`authentication`, `is_bot` in `/conns`, the profile it serves for a signed-in node) counts;
 * a visitor calling itself "EchoBot" or announcing `is_bot` attributes gets nothing.
 */
export function peerIdentity(
  p: Pick<PeerView, 'name' | 'authentication' | 'isBot' | 'account'>,
  apiBase: string,
): PeerIdentity {
  const signedIn = isSignedIn(p.authentication);
  const account = signedIn ? p.account : undefined;
  const bot = signedIn && p.isBot;
  const displayName = account?.displayName || p.name || '(no name)';
  const who = account ? ` as @${account.username}` : '';
  const detail = signedIn ? `${HOW[p.authentication] ?? 'Signed in'}${who}` : '';
  const id: PeerIdentity = {
    displayName,
    signedIn,
    bot,
    detail,
    label: [displayName, bot && 'bot', signedIn && 'signed in'].filter(Boolean).join(', '),
  };
  if (account?.hasAvatar)
    id.avatarSrc = `${apiBase}/profile/avatar?username=${encodeURIComponent(account.username)}`;
  return id;
}
