import { describe, expect, it } from 'vitest';
import { orderPeers } from './order';
import { makePeer as peer } from '../../rtc/testing/peer-view';

describe('orderPeers', () => {
  it('puts unread first, then recent conversations, then newest joins', () => {
    const list = orderPeers(
      [
        peer('a', 'old', { registeredAt: 1 }),
        peer('b', 'new', { registeredAt: 9 }),
        peer('c', 'talked', { lastActivity: 50 }),
        peer('d', 'unread', { unread: 2, lastActivity: 10 }),
      ],
      '',
    );
    expect(list.map((p) => p.name)).toEqual(['unread', 'talked', 'new', 'old']);
  });

  it('filters by name, case-insensitively', () => {
    expect(orderPeers([peer('a', 'Alice'), peer('b', 'bob')], 'ALI').map((p) => p.name)).toEqual([
      'Alice',
    ]);
  });

  it('also finds peers by their account display name', () => {
    const bot = peer('a', 'echo_bot', {
      authentication: 'jwt',
      account: { username: 'echo_bot', displayName: 'EchoBot', hasAvatar: false, isBot: true },
    });
    expect(orderPeers([bot, peer('b', 'bob')], 'echob').map((p) => p.name)).toEqual(['echo_bot']);
  });
});
