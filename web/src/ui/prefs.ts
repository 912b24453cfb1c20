/** Browser persistence of the original's keys (PROTOCOL.md 7.10). */
export interface Preference {
  name?: string;
  indexOfPreferColor?: number;
}

export function loadPreference(): Preference {
  try {
    const raw = JSON.parse(localStorage.getItem('preference') ?? '{}') as unknown;
    if (typeof raw !== 'object' || raw === null) return {};
    const p = raw as Record<string, unknown>;
    const out: Preference = {};
    if (typeof p.name === 'string') out.name = p.name.slice(0, 64);
    if (
      typeof p.indexOfPreferColor === 'number' &&
      Number.isInteger(p.indexOfPreferColor) &&
      p.indexOfPreferColor >= 0 &&
      p.indexOfPreferColor <= 9
    ) {
      out.indexOfPreferColor = p.indexOfPreferColor;
    }
    return out;
  } catch {
    return {};
  }
}

export function savePreference(p: Preference) {
  localStorage.setItem('preference', JSON.stringify(p));
}

/** localStorage key of the relay-only choice ('1' when on; Tincan's own, not the original's). */
export const RELAY_ONLY_KEY = 'tincan_relay_only';

export const storage = {
  get: (k: string) => {
    try {
      return localStorage.getItem(k);
    } catch {
      return null;
    }
  },
  set: (k: string, v: string | null) => {
    try {
      if (v === null) localStorage.removeItem(k);
      else localStorage.setItem(k, v);
    } catch {
      /* private mode */
    }
  },
};

/**
 * localStorage `tincan_large_file`: the size in bytes from which a file gets large socket buffers
 * first (TincanClient's `largeFile`; the benchmarks set it to measure other thresholds). Anything
 * but a whole number leaves the client's default.
 */
export function largeFileSetting(): { largeFile?: number } {
  const v = storage.get('tincan_large_file');
  return v !== null && /^\d{1,15}$/.test(v) ? { largeFile: Number(v) } : {};
}
