import { describe, expect, it, vi } from 'vitest';
import { PROFILE_RETRY, PROFILE_TTL, ProfileDirectory } from './profiles';

type Answer = { status: number; body?: unknown } | 'network';

function setup(answers: Record<string, Answer[]>) {
  let now = 1_000_000;
  const calls: string[] = [];
  const fetchImpl = vi.fn(async (input: RequestInfo | URL) => {
    calls.push(String(input));
    const name = new URL(String(input)).searchParams.get('username') ?? '';
    const a = answers[name]?.shift() ?? { status: 404, body: { err: 'User is not found' } };
    if (a === 'network') throw new TypeError('Failed to fetch');
    return new Response(JSON.stringify(a.body ?? {}), { status: a.status });
  }) as unknown as typeof fetch;
  const changed: string[] = [];
  const dir = new ProfileDirectory({
    api: 'http://h/chat-api',
    fetchImpl,
    now: () => now,
    onChange: (n) => changed.push(n),
  });
  return { dir, calls, changed, advance: (ms: number) => (now += ms) };
}

const echo = { username: 'echo_bot', displayName: 'EchoBot', avatarURL: 'data:x', isBot: true };

describe('ProfileDirectory', () => {
  it('fetches once per name under the apiPrefix and caches the answer', async () => {
    const { dir, calls, changed } = setup({ echo_bot: [{ status: 200, body: echo }] });
    const first = dir.request('echo_bot');
    await dir.request('echo_bot'); // in flight: the same request
    await first;
    await dir.request('echo_bot'); // cached
    expect(calls).toEqual(['http://h/chat-api/profile?username=echo_bot']);
    expect(changed).toEqual(['echo_bot']);
    expect(dir.get('echo_bot')).toEqual({
      username: 'echo_bot',
      displayName: 'EchoBot',
      hasAvatar: true,
      isBot: true,
    });
  });

  it('encodes the name in the query', async () => {
    const { dir, calls } = setup({});
    await dir.request('a&b=c d/é');
    expect(calls).toEqual(['http://h/chat-api/profile?username=a%26b%3Dc%20d%2F%C3%A9']);
  });

  it('never asks for an empty name', async () => {
    const { dir, calls } = setup({});
    await dir.request('');
    expect(calls).toEqual([]);
  });

  it('remembers a 404 until the TTL and asks again after it', async () => {
    const { dir, calls, changed, advance } = setup({});
    await dir.request('ghost');
    await dir.request('ghost');
    expect(calls.length).toBe(1);
    expect(dir.get('ghost')).toBeUndefined();
    expect(changed).toEqual([]);
    advance(PROFILE_TTL + 1);
    await dir.request('ghost');
    expect(calls.length).toBe(2);
  });

  it.each<[string, Answer]>([
    ['401', { status: 401, body: { err: 'Unauthorized' } }],
    ['500', { status: 500, body: { err: 'boom' } }],
    ['a network error', 'network'],
    ['a malformed body', { status: 200, body: ['not', 'a', 'profile'] }],
  ])('is silent on %s, keeps what it had and retries sooner', async (_what, failure) => {
    const { dir, calls, changed, advance } = setup({
      echo_bot: [{ status: 200, body: echo }, failure, { status: 200, body: echo }],
    });
    await dir.request('echo_bot');
    advance(PROFILE_TTL + 1);
    await dir.request('echo_bot'); // fails
    expect(calls.length).toBe(2);
    expect(dir.get('echo_bot')?.displayName).toBe('EchoBot');
    await dir.request('echo_bot');
    expect(calls.length).toBe(2);
    advance(PROFILE_RETRY + 1);
    await dir.request('echo_bot');
    expect(calls.length).toBe(3);
    expect(changed).toEqual(['echo_bot']);
  });

  it('ignores a profile for another username', async () => {
    const { dir, changed } = setup({ alice: [{ status: 200, body: { username: 'mallory' } }] });
    await dir.request('alice');
    expect(dir.get('alice')).toBeUndefined();
    expect(changed).toEqual([]);
  });

  it('accepts the same username in another case', async () => {
    const { dir } = setup({ Octocat: [{ status: 200, body: { username: 'octocat' } }] });
    await dir.request('Octocat');
    expect(dir.get('Octocat')?.username).toBe('octocat');
  });

  it('survives a throwing change listener', async () => {
    const fetchImpl = (async () =>
      new Response(JSON.stringify(echo), { status: 200 })) as unknown as typeof fetch;
    const dir = new ProfileDirectory({
      api: 'http://h/api',
      fetchImpl,
      onChange: () => {
        throw new Error('listener bug');
      },
    });
    const err = vi.spyOn(console, 'error').mockImplementation(() => {});
    await expect(dir.request('echo_bot')).resolves.toBeUndefined();
    expect(dir.get('echo_bot')?.displayName).toBe('EchoBot');
    err.mockRestore();
  });
});
