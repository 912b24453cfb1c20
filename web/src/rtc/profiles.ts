import { decodeProfile, type AccountProfile } from '../protocol';

/** A found profile or a 404 is kept this long; a failed fetch is retried sooner. */
export const PROFILE_TTL = 10 * 60_000;
export const PROFILE_RETRY = 30_000;
const FETCH_TIMEOUT = 10_000;
const MAX_ENTRIES = 512;

interface Entry {
  /** The last good answer: a profile, or null for "no such account". */
  profile: AccountProfile | null;
  /** When to ask again (ms since epoch). */
  refreshAt: number;
  /** The running request, if any. */
  pending: Promise<void> | null;
}

export interface ProfileDirectoryOptions {
  /** Base URL of the HTTP API (the server's apiPrefix, resolved). */
  api: string;
  fetchImpl?: typeof fetch;
  now?: () => number;
  /** Called after the answer for `name` arrived and differs from what was known. */
  onChange: (name: string) => void;
}

/**
 * Account profiles by node name (PROTOCOL.md 7.4: `{apiPrefix}/profile?username=<node name>`),
 * cached per name with in-flight de-duplication. The caller asks only for peers the server lists
 * as signed in, so visitors never cost a request. Errors (401, 404, 5xx, network, bad JSON) are
 * silent: the peer keeps its node name and generated avatar.
 */
export class ProfileDirectory {
  private readonly entries = new Map<string, Entry>();
  private readonly now: () => number;

  constructor(private readonly opts: ProfileDirectoryOptions) {
    this.now = opts.now ?? Date.now;
  }

  /** The cached profile; undefined while unknown or when the name has no account. */
  get(name: string): AccountProfile | undefined {
    return this.entries.get(name)?.profile ?? undefined;
  }

  /**
   * Fetches the profile unless a fresh answer is cached or a request is already running; the
   * promise settles (never rejects) once this call's answer, if any, is in the cache.
   */
  request(name: string): Promise<void> {
    if (!name) return Promise.resolve();
    const entry = this.entries.get(name);
    if (entry?.pending) return entry.pending;
    if (entry && entry.refreshAt > this.now()) return Promise.resolve();
    const next: Entry = { profile: entry?.profile ?? null, refreshAt: 0, pending: null };
    this.entries.delete(name); // re-insert: the Map's order is the eviction order
    this.entries.set(name, next);
    this.evict();
    next.pending = this.fetchProfile(name).then((answer) => {
      next.pending = null;
      if (answer === 'error') {
        next.refreshAt = this.now() + PROFILE_RETRY; // keep what we had
        return;
      }
      next.refreshAt = this.now() + PROFILE_TTL;
      const changed = JSON.stringify(answer) !== JSON.stringify(next.profile);
      next.profile = answer;
      if (!changed) return;
      try {
        this.opts.onChange(name);
      } catch (e) {
        console.error('profiles: onChange threw', e);
      }
    });
    return next.pending;
  }

  private async fetchProfile(name: string): Promise<AccountProfile | null | 'error'> {
    try {
      const res = await (this.opts.fetchImpl ?? fetch)(
        `${this.opts.api}/profile?username=${encodeURIComponent(name)}`,
        {
          credentials: 'include',
          ...(typeof AbortSignal.timeout === 'function'
            ? { signal: AbortSignal.timeout(FETCH_TIMEOUT) }
            : {}),
        },
      );
      if (res.status === 404) return null;
      if (!res.ok) return 'error';
      const r = decodeProfile(await res.text());
      if (!r.ok) {
        console.warn('profiles: bad /profile answer', r.error.message);
        return 'error';
      }
      // The server matches usernames case-insensitively; anything else is not this name's.
      return r.value.username.toLowerCase() === name.toLowerCase() ? r.value : null;
    } catch {
      return 'error';
    }
  }

  private evict() {
    for (const [name, e] of this.entries) {
      if (this.entries.size <= MAX_ENTRIES) return;
      if (!e.pending) this.entries.delete(name);
    }
  }
}
