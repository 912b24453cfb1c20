import { cleanName, MAX_NAME } from './conns';
import { isObject, parseJson } from './json';
import { DecodeError, fail, ok, type Result } from './result';
import type { AccountProfile } from './types';

/**
 * Decodes `GET {apiPrefix}/profile?username=` (PROTOCOL.md 2.2). The display name comes from
 * the account's owner (a GitHub name, say): it is cleaned like a node name and only ever
 * rendered as text.
 */
export function decodeProfile(text: string): Result<AccountProfile> {
  let root: unknown;
  try {
    root = parseJson(text);
  } catch (e) {
    if (e instanceof DecodeError) return fail(e.code, e.message);
    throw e;
  }
  if (!isObject(root)) return fail('not_an_object', 'a profile must be an object');
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
