import { decodeObject, isObject } from './json';
import { ok, type Result } from './result';
import type { ConnEntry } from './types';

export const MAX_NAME = 64;
const MAX_ATTRIBUTES = 32;
const MAX_ATTRIBUTE_VALUE = 256;

/**
 * Decodes `GET {apiPrefix}/conns` (PROTOCOL.md 2.2). Entries with an unexpected shape are
 * skipped one by one, never the whole list: one hostile peer must not blank everyone's list.
 */
export function decodeConns(text: string): Result<ConnEntry[]> {
  const r = decodeObject(text, '/conns');
  if (!r.ok) return r;
  const root = r.value;
  const out: ConnEntry[] = [];
  for (const [nodeId, raw] of Object.entries(root)) {
    if (!isObject(raw) || nodeId.length === 0 || nodeId.length > 128) continue;
    const attributes: Record<string, string> = {};
    if (isObject(raw.attributes)) {
      for (const [k, v] of Object.entries(raw.attributes).slice(0, MAX_ATTRIBUTES)) {
        if (typeof v === 'string') attributes[k.slice(0, 64)] = v.slice(0, MAX_ATTRIBUTE_VALUE);
      }
    }
    const entry: ConnEntry = {
      nodeId,
      name: typeof raw.node_name === 'string' ? cleanName(raw.node_name) : '',
      connectedAt: finite(raw.connected_at) ?? 0,
      attributes,
      authentication: typeof raw.authentication === 'string' ? raw.authentication.slice(0, 16) : '',
      isBot: raw.is_bot === true,
      username: typeof raw.username === 'string' ? cleanName(raw.username) : '',
    };
    const registeredAt = finite(raw.registered_at);
    if (registeredAt !== undefined) entry.registeredAt = registeredAt;
    out.push(entry);
  }
  return ok(out);
}

/**
 * The server authenticated this node (PROTOCOL.md 1.5: a bot's JWT or a signed-in session).
 * Only `/conns` says so; nothing a peer announces about itself (name, attributes) counts.
 */
export function isSignedIn(authentication: string): boolean {
  return authentication === 'jwt' || authentication === 'session';
}

function finite(v: unknown): number | undefined {
  return typeof v === 'number' && Number.isFinite(v) ? v : undefined;
}

/** Display form of an untrusted name: no control or bidi-override characters, bounded. */
export function cleanName(name: string): string {
  // eslint-disable-next-line no-control-regex
  return name.replace(/[\u0000-\u001f\u007f\u202a-\u202e\u2066-\u2069]/g, '').slice(0, MAX_NAME);
}
