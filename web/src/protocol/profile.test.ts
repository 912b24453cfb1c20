import { describe, expect, it } from 'vitest';
import { decodeConns } from './conns';
import { decodeProfile } from './profile';

describe('decodeProfile', () => {
  it('reads the original shape plus isBot', () => {
    const r = decodeProfile(
      JSON.stringify({
        username: 'echo_bot',
        displayName: 'EchoBot',
        avatarURL: 'data:image/svg+xml;base64,PHN2Zy8+',
        isBot: true,
      }),
    );
    expect(r).toEqual({
      ok: true,
      value: { username: 'echo_bot', displayName: 'EchoBot', hasAvatar: true, isBot: true },
    });
  });

  it('leaves out what is missing or not the right type', () => {
    const r = decodeProfile(
      JSON.stringify({ username: 'octocat', displayName: 42, avatarURL: '', isBot: 'true' }),
    );
    expect(r).toEqual({ ok: true, value: { username: 'octocat', hasAvatar: false, isBot: false } });
  });

  it('cleans a hostile display name to bounded plain text', () => {
    const r = decodeProfile(
      JSON.stringify({
        username: 'mallory',
        displayName: '\u202eEchoBot\u0000<img src=x onerror=alert(1)>' + 'x'.repeat(200),
      }),
    );
    expect(r.ok).toBe(true);
    if (!r.ok) return;
    expect(r.value.displayName).toMatch(/^EchoBot<img src=x onerror=alert\(1\)>x+$/);
    expect(r.value.displayName?.length).toBe(64);
  });

  it.each([
    ['not JSON', '{', 'malformed_json'],
    ['an array', '[]', 'not_an_object'],
    ['no username', '{"displayName":"x"}', 'missing_field'],
    ['an empty username', '{"username":""}', 'missing_field'],
    ['a huge username', JSON.stringify({ username: 'u'.repeat(65) }), 'too_large'],
  ])('refuses %s', (_what, text, code) => {
    const r = decodeProfile(text);
    expect(r.ok).toBe(false);
    if (!r.ok) expect(r.error.code).toBe(code);
  });
});

describe('/conns is_bot', () => {
  it('is true only for a JSON true from the server, never from attributes', () => {
    const r = decodeConns(
      JSON.stringify({
        a: { node_name: 'echo_bot', authentication: 'jwt', is_bot: true },
        b: { node_name: 'EchoBot', authentication: 'none', is_bot: 'true' },
        c: { node_name: 'x', authentication: 'none', attributes: { is_bot: 'true' } },
      }),
    );
    expect(r.ok && r.value.map((e) => e.isBot)).toEqual([true, false, false]);
  });
});

describe('/conns username', () => {
  it('is the server-named account of a node, cleaned, and empty when absent or not a string', () => {
    const r = decodeConns(
      JSON.stringify({
        a: { node_name: 'EchoBot', authentication: 'jwt', username: 'echo_bot' },
        b: { node_name: 'x', authentication: 'session', username: 42 },
        c: { node_name: 'y', authentication: 'session', username: 'bad\u202ename' },
        d: { node_name: 'z', authentication: 'none' },
      }),
    );
    expect(r.ok && r.value.map((e) => e.username)).toEqual(['echo_bot', '', 'badname', '']);
  });
});
