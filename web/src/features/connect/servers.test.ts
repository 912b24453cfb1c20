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

  it('offers every identity provider with a login URL, as the original (its buttons go by kind)', () => {
    const [s] = parseServers([
      {
        ...entry,
        idp: [
          { kind: 'github', loginUrl: '/api/github/login/start' },
          { name: 'Kioubit', kind: 'kioubit', loginUrl: '/api/kioubit/login/start', x: 1 },
          { name: 'Corp', loginUrl: '/api/login' },
          { name: 'No URL', kind: 'github' },
        ],
      },
    ]);
    expect(s?.idp).toEqual([
      { name: '', kind: 'github', loginUrl: '/api/github/login/start' },
      { name: 'Kioubit', kind: 'kioubit', loginUrl: '/api/kioubit/login/start' },
      { name: 'Corp', kind: '', loginUrl: '/api/login' },
    ]);
  });
});
