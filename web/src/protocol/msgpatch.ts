import { capText } from './chat-codec';
import { fail, ok, type Result } from './result';

/** One `msgpatch` order (PROTOCOL.md 4.9): 0 = append, 1 = replace. */
export interface PatchOrder {
  kind: 'append' | 'replace' | 'unknown';
  messageId: string;
  value: string;
}

// Invalid UTF-8 becomes U+FFFD, as the original web client's decoder shows it (a patch is not
// dropped for one bad byte, e.g. a character a streaming bot split across two orders).
const utf8 = new TextDecoder('utf-8');
const utf8enc = new TextEncoder();

export function decodePatch(data: ArrayBuffer | Uint8Array): Result<PatchOrder> {
  const bytes = data instanceof Uint8Array ? data : new Uint8Array(data);
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  if (bytes.length < 5) return fail('malformed_json', 'patch shorter than its header');
  const kindByte = view.getUint8(0);
  const idLen = view.getUint16(1);
  if (3 + idLen + 2 > bytes.length) return fail('malformed_json', 'patch id truncated');
  const valueLen = view.getUint16(3 + idLen);
  if (5 + idLen + valueLen > bytes.length) return fail('malformed_json', 'patch value truncated');
  const messageId = utf8.decode(bytes.subarray(3, 3 + idLen));
  const value = utf8.decode(bytes.subarray(5 + idLen, 5 + idLen + valueLen));
  const kind = kindByte === 0 ? 'append' : kindByte === 1 ? 'replace' : 'unknown';
  return ok({ kind, messageId, value });
}

export function encodePatch(order: {
  kind: 'append' | 'replace';
  messageId: string;
  value: string;
}): Uint8Array {
  const id = utf8enc.encode(order.messageId);
  const value = utf8enc.encode(order.value);
  if (id.length > 0xffff || value.length > 0xffff)
    throw new RangeError('patch field over 65535 bytes');
  const out = new Uint8Array(5 + id.length + value.length);
  const view = new DataView(out.buffer);
  view.setUint8(0, order.kind === 'append' ? 0 : 1);
  view.setUint16(1, id.length);
  out.set(id, 3);
  view.setUint16(3 + id.length, value.length);
  out.set(value, 5 + id.length);
  return out;
}

/**
 * Applies patch orders in arrival order to a base text; unknown kinds are ignored. The result is
 * bounded like a message's text (MAX_TEXT, then "…"): appends cannot grow a message without end.
 */
export function applyPatches(base: string, orders: readonly PatchOrder[]): string {
  let text = base;
  for (const o of orders) {
    if (o.kind === 'append') text = capText(text + o.value);
    else if (o.kind === 'replace') text = capText(o.value);
  }
  return text;
}

/**
 * Orders kept for a message that has not arrived yet, folded into one: a replace supersedes
 * what came before, appends are joined (bounded). Unknown kinds change nothing.
 */
export function foldPatch(
  pending: PatchOrder | undefined,
  order: PatchOrder,
): PatchOrder | undefined {
  if (order.kind === 'replace') return { ...order, value: capText(order.value) };
  if (order.kind !== 'append') return pending;
  return pending ? { ...pending, value: capText(pending.value + order.value) } : order;
}
