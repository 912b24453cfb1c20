import { describe, expect, it } from 'vitest';
import { parseServers } from './servers';

describe('servers.json (the original format, PROTOCOL.md 7.9)', () => {
  const entry = { id: 'main', name: 'Main', url: '/api/ws', apiPrefix: '/api', iceServers: [] };

  it('offers the visitor form only where allowAnonymous is true, as the original', () => {
    const [given, absent, off] = parseServers([
      { ...entry, allowAnonymous: true },
      { ...entry, id: 'b' },
      { ...entry, id: 'c', allowAnonymous: false },
    ]);
    expect(given?.allowAnonymous).toBe(true);
    expect(absent?.allowAnonymous).toBe(false);
    expect(off?.allowAnonymous).toBe(false);
  });

  it('keeps the fields of an entry and the default API prefix', () => {
    const [s] = parseServers([{ id: 'x', url: 'wss://example.org/ws', iceServers: ['stun:a', 3] }]);
    expect(s).toMatchObject({
      id: 'x',
      name: 'x',
      url: 'wss://example.org/ws',
      apiPrefix: '/api',
      iceServers: ['stun:a'],
      idp: [],
    });
  });
});
