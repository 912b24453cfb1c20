/** How a peer's audio was being played when its track was replaced. */
interface PlayerState {
  playing: boolean;
  volume: number;
}

/**
 * Remote audio tracks, kept outside the store (MediaStreams are not plain data). A peer's new
 * track supersedes its earlier ones (MusicBot sends a new track on every `/play`, PROTOCOL.md
 * 5.3): those read as ended, and the new one starts as the peer's player was left.
 */
export class TrackRegistry {
  private tracks = new Map<string, { peer: string; stream: MediaStream; start: PlayerState }>();
  private players = new Map<string, PlayerState>();
  private listeners = new Set<() => void>();
  private nextId = 0;
  private version = 0;

  add(peer: string, stream: MediaStream): string {
    const id = `track-${++this.nextId}`;
    for (const [old, t] of this.tracks) if (t.peer === peer) this.tracks.delete(old);
    const start = this.players.get(peer) ?? { playing: false, volume: 30 };
    this.tracks.set(id, { peer, stream, start });
    this.changed();
    return id;
  }

  get(id: string): MediaStream | undefined {
    return this.tracks.get(id)?.stream;
  }

  /** The player state a track's card starts with. */
  startState(id: string): PlayerState {
    return this.tracks.get(id)?.start ?? { playing: false, volume: 30 };
  }

  /** The card of a live track reports how it is being played. */
  setPlayer(id: string, state: PlayerState) {
    const t = this.tracks.get(id);
    if (t) this.players.set(t.peer, state);
  }

  clear() {
    this.tracks.clear();
    this.players.clear();
    this.changed();
  }

  /** For useSyncExternalStore: a number that changes whenever tracks come or go. */
  snapshot = () => this.version;

  subscribe = (fn: () => void) => {
    this.listeners.add(fn);
    return () => this.listeners.delete(fn);
  };

  private changed() {
    this.version++;
    for (const fn of this.listeners) fn();
  }
}

/** A 150 px wide JPEG thumbnail of an image file, or undefined (never fails the send). */
export async function makeThumbnail(file: Blob): Promise<string | undefined> {
  if (
    !file.type.startsWith('image/') ||
    file.type === 'image/svg+xml' ||
    file.size > 32 * 1024 * 1024
  ) {
    return undefined;
  }
  try {
    const bitmap = await createImageBitmap(file);
    const w = 150;
    const h = Math.max(1, Math.round((bitmap.height / bitmap.width) * w));
    const canvas = document.createElement('canvas');
    canvas.width = w;
    canvas.height = h;
    canvas.getContext('2d')?.drawImage(bitmap, 0, 0, w, h);
    bitmap.close();
    const url = canvas.toDataURL('image/jpeg', 0.7);
    return url.length < 100 * 1024 ? url : undefined;
  } catch {
    return undefined;
  }
}
