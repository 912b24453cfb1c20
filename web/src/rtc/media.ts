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

/** A 150 px wide JPEG thumbnail of an image or video file, or undefined (never fails the send). */
export async function makeThumbnail(file: Blob): Promise<string | undefined> {
  if (file.type.startsWith('video/')) return videoThumbnail(file);
  if (
    !file.type.startsWith('image/') ||
    file.type === 'image/svg+xml' ||
    file.size > 32 * 1024 * 1024
  ) {
    return undefined;
  }
  try {
    const bitmap = await createImageBitmap(file);
    const url = drawThumbnail(bitmap, bitmap.width, bitmap.height);
    bitmap.close();
    return url;
  } catch {
    return undefined;
  }
}

function drawThumbnail(source: CanvasImageSource, width: number, height: number) {
  if (!width || !height) return undefined;
  const w = 150;
  const h = Math.max(1, Math.round((height / width) * w));
  const canvas = document.createElement('canvas');
  canvas.width = w;
  canvas.height = h;
  canvas.getContext('2d')?.drawImage(source, 0, 0, w, h);
  const url = canvas.toDataURL('image/jpeg', 0.7);
  return url.length < 100 * 1024 ? url : undefined;
}

/** A frame at 1 s (or mid-way into a shorter video), as the original; at most 3 s of trying. */
async function videoThumbnail(file: Blob): Promise<string | undefined> {
  if (typeof document === 'undefined') return undefined;
  const video = document.createElement('video');
  const src = URL.createObjectURL(file);
  video.muted = true;
  video.preload = 'auto';
  const event = (name: string) =>
    new Promise<void>((resolve, reject) => {
      video.addEventListener(name, () => resolve(), { once: true });
      video.addEventListener('error', () => reject(new Error('video')), { once: true });
    });
  try {
    const frame = (async () => {
      const loaded = event('loadeddata');
      video.src = src;
      await loaded;
      const seeked = event('seeked');
      video.currentTime = Number.isFinite(video.duration) ? Math.min(1, video.duration / 2) : 0;
      await seeked;
      return drawThumbnail(video, video.videoWidth, video.videoHeight);
    })();
    const timeout = new Promise<undefined>((resolve) => setTimeout(() => resolve(undefined), 3000));
    return await Promise.race([frame, timeout]);
  } catch {
    return undefined;
  } finally {
    video.removeAttribute('src');
    video.load();
    URL.revokeObjectURL(src);
  }
}
