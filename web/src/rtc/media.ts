/** Remote audio tracks, kept outside the store (MediaStreams are not plain data). */
export class TrackRegistry {
  private tracks = new Map<string, MediaStream>();
  private nextId = 0;

  add(stream: MediaStream): string {
    const id = `track-${++this.nextId}`;
    this.tracks.set(id, stream);
    return id;
  }

  get(id: string): MediaStream | undefined {
    return this.tracks.get(id);
  }

  clear() {
    this.tracks.clear();
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
