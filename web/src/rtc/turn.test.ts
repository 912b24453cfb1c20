import { describe, expect, it } from 'vitest';
import { fetchTurnGrant, parseTurnGrant } from './turn';

const good = {
  iceServers: [
    {
      urls: ['turn:relay.example:3478?transport=udp', 'turns:relay.example:5349'],
      username: '1795600000:0a1b2c3d4e5f6789',
      credential: 'FtUD9jmkP1bhzkXdCAUWmQ5WH3s=',
    },
  ],
  ttl: 43200,
};

describe('TURN grant', () => {
  it('takes the server answer as RTCIceServers with an expiry', () => {
    const g = parseTurnGrant(good, 1000);
    expect(g?.servers).toEqual(good.iceServers);
    expect(g?.expiresAt).toBe(1000 + 43200 * 1000);
    expect(
      parseTurnGrant({ ...good, iceServers: [{ ...good.iceServers[0], urls: 'turn:a:1' }] }, 0)
        ?.servers[0]?.urls,
    ).toEqual(['turn:a:1']);
  });

  it.each([
    ['not an object', 'x'],
    ['no servers', { ...good, iceServers: [] }],
    ['ttl missing', { iceServers: good.iceServers }],
    ['ttl absurd', { ...good, ttl: 1e12 }],
    [
      'a script URL',
      { ...good, iceServers: [{ ...good.iceServers[0], urls: ['javascript:alert(1)'] }] },
    ],
    ['no credential', { ...good, iceServers: [{ urls: ['turn:a:1'], username: 'u' }] }],
    [
      'a huge username',
      { ...good, iceServers: [{ ...good.iceServers[0], username: 'u'.repeat(5000) }] },
    ],
    ['too many servers', { ...good, iceServers: Array(10).fill(good.iceServers[0]) }],
  ])('refuses %s', (_, body) => {
    expect(parseTurnGrant(body, 0)).toBeNull();
  });

  it('asks <api>/ice-servers with the session cookie; no relay on 404 or a network error', async () => {
    const asked: [string, RequestInit | undefined][] = [];
    const ok = (async (url: string, init?: RequestInit) => {
      asked.push([url, init]);
      return new Response(JSON.stringify(good), { status: 200 });
    }) as typeof fetch;
    expect((await fetchTurnGrant('/api', ok))?.servers).toHaveLength(1);
    expect(asked[0]?.[0]).toBe('/api/ice-servers');
    expect(asked[0]?.[1]?.credentials).toBe('include');
    const missing = (async () => new Response('{"err":"no"}', { status: 404 })) as typeof fetch;
    expect(await fetchTurnGrant('/api', missing)).toBeNull();
    const down = (async () => {
      throw new TypeError('network');
    }) as typeof fetch;
    expect(await fetchTurnGrant('/api', down)).toBeNull();
  });
});
