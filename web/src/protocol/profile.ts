import { cleanName, MAX_NAME } from './conns';
import { decodeObject } from './json';
import { fail, ok, type Result } from './result';
import type { AccountProfile } from './types';

/**
 * Decodes `GET {apiPrefix}/profile?username=` (PROTOCOL.md 2.2). The display name comes from
 * the account's owner (a GitHub name, say): it is cleaned like a node name and only ever
 * rendered as text.
 */
export function decodeProfile(text: string): Result<AccountProfile> {
  const r = decodeObject(text, 'a profile');
  if (!r.ok) return r;
  const root = r.value;
  if (typeof root.username !== 'string' || root.username.length === 0)
    return fail('missing_field', 'a profile needs a username');
  if (root.username.length > MAX_NAME) return fail('too_large', 'username is too long');
  const profile: AccountProfile = {
    username: cleanName(root.username),
    hasAvatar: typeof root.avatarURL === 'string' && root.avatarURL.length > 0,
    isBot: root.isBot === true,
  };
  const display = typeof root.displayName === 'string' ? cleanName(root.displayName).trim() : '';
  if (display) profile.displayName = display;
  return ok(profile);
}
