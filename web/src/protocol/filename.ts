/**
 * Makes an untrusted file name safe to offer for download: no path separators, control or
 * bidi characters, no leading dots, no Windows device names, bounded length, never empty.
 */
export function sanitizeFileName(name: string | undefined): string {
  let n = (name ?? '')
    // eslint-disable-next-line no-control-regex
    .replace(/[\u0000-\u001f\u007f\u202a-\u202e\u2066-\u2069]/g, '')
    .replace(/[/\\:*?"<>|]/g, '_')
    .trim()
    .replace(/^\.+/, '');
  if (/^(con|prn|aux|nul|com\d|lpt\d)(\..*)?$/i.test(n)) n = `_${n}`;
  if (n.length > 200) {
    const dot = n.lastIndexOf('.');
    const ext = dot > 0 && n.length - dot <= 16 ? n.slice(dot) : '';
    n = n.slice(0, 200 - ext.length) + ext;
  }
  return n || 'unknownfile';
}

/** Media types a received file keeps: ones a browser only displays, never runs. */
const PASSIVE_TYPES =
  /^(image\/(png|jpeg|gif|webp|avif|bmp)|video\/(mp4|webm|ogg|quicktime|x-matroska)|audio\/(mpeg|mp4|ogg|wav|x-wav|webm|aac|flac|opus)|text\/plain|application\/pdf)$/;

/**
 * The type given to a received file's Blob. Its object URL has the app's origin: a peer's
 * `text/html` or SVG opened from the download link ("Open in new tab") would run its script as
 * the app (the page's CSP does not reach a document loaded from a blob URL). Anything not known
 * to be passive becomes `application/octet-stream`, which the browser downloads.
 */
export function passiveMime(type: string | undefined): string {
  const t = (type ?? '').split(';')[0]!.trim().toLowerCase();
  return PASSIVE_TYPES.test(t) ? t : 'application/octet-stream';
}
