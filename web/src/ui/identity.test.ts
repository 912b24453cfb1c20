import { describe, expect, it } from 'vitest';
import { decodeConns } from '../protocol';
import { peerIdentity } from './identity';
import { makePeer } from '../rtc/testing/peer-view';

const API = 'https://chat.example/prefix';

describe('peerIdentity', () => {
  it('gives a visitor no badge, whatever it calls itself or announces', () => {
    const id = peerIdentity(
      makePeer('n1', 'EchoBot', {
        name: 'EchoBot',
        authentication: 'none',
        attributes: { is_bot: 'true', authentication: 'jwt', verified: 'true' },
      }),
      API,
    );
    expect(id).toEqual({
      displayName: 'EchoBot',
      signedIn: false,
      bot: false,
      detail: '',
      label: 'EchoBot',
    });
  });

  it.each(['', 'none', 'JWT', 'Session', 'anonymous', 'jwt ', 'bearer'])(
    'treats authentication %j as not signed in',
    (authentication) => {
      const id = peerIdentity(makePeer('n1', 'EchoBot', { authentication, isBot: true }), API);
      expect(id.signedIn).toBe(false);
      expect(id.bot).toBe(false);
    },
  );

  it('ignores an account profile on a visitor (only signed-in peers have one)', () => {
    const id = peerIdentity(
      makePeer('n1', 'EchoBot', {
        authentication: 'none',
        account: {
          username: 'echo_bot',
          displayName: 'Real EchoBot',
          hasAvatar: true,
          isBot: true,
        },
      }),
      API,
    );
    expect(id.displayName).toBe('EchoBot');
    expect(id.avatarSrc).toBeUndefined();
  });

  it('shows a JWT bot with its display name, avatar under the apiPrefix and both badges', () => {
    const id = peerIdentity(
      makePeer('n1', 'EchoBot', {
        name: 'echo_bot',
        authentication: 'jwt',
        isBot: true,
        account: { username: 'echo_bot', displayName: 'EchoBot', hasAvatar: true, isBot: true },
      }),
      API,
    );
    expect(id).toEqual({
      displayName: 'EchoBot',
      signedIn: true,
      bot: true,
      detail: 'Signed in with a bot token (JWT) as @echo_bot',
      label: 'EchoBot, bot, signed in',
      avatarSrc: 'https://chat.example/prefix/profile/avatar?username=echo_bot',
    });
  });

  it('shows a signed-in person before the profile arrives by node name, without avatar', () => {
    const id = peerIdentity(
      makePeer('n1', 'EchoBot', { name: 'octocat', authentication: 'session' }),
      API,
    );
    expect(id).toEqual({
      displayName: 'octocat',
      signedIn: true,
      bot: false,
      detail: 'Signed in with an account (GitHub or Kioubit)',
      label: 'octocat, signed in',
    });
  });

  it('falls back to the username when the account has no display name, and encodes it', () => {
    const id = peerIdentity(
      makePeer('n1', 'EchoBot', {
        name: 'a&b',
        authentication: 'session',
        account: { username: 'a&b', hasAvatar: true, isBot: false },
      }),
      API,
    );
    expect(id.displayName).toBe('a&b');
    expect(id.avatarSrc).toBe(`${API}/profile/avatar?username=a%26b`);
  });

  it('derives badges from real /conns entries', () => {
    const r = decodeConns(
      JSON.stringify({
        bot: { node_name: 'echo_bot', registered_at: 1, authentication: 'jwt', is_bot: true },
        human: { node_name: 'octocat', registered_at: 1, authentication: 'session' },
        fake: {
          node_name: 'EchoBot',
          registered_at: 1,
          authentication: 'none',
          is_bot: 'yes',
          attributes: { is_bot: 'true' },
        },
      }),
    );
    if (!r.ok) throw new Error(r.error.message);
    const ids = r.value.map((e) =>
      peerIdentity(
        makePeer('n1', 'EchoBot', {
          name: e.name,
          authentication: e.authentication,
          isBot: e.isBot,
          attributes: e.attributes,
        }),
        API,
      ),
    );
    expect(ids.map((i) => [i.signedIn, i.bot])).toEqual([
      [true, true],
      [true, false],
      [false, false],
    ]);
  });
});
