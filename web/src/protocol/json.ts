import { DecodeError, fail, ok, type Result } from './result';

/** Maximum nesting of any untrusted JSON document (same limit as the C++ codec). */
export const MAX_JSON_DEPTH = 16;

export type JsonObject = Record<string, unknown>;

const utf8 = new TextDecoder('utf-8', { fatal: true });

/** Parses untrusted text or bytes; throws DecodeError('malformed_json') on any failure. */
export function parseJson(input: string | Uint8Array, maxDepth = MAX_JSON_DEPTH): unknown {
  let text: string;
  if (typeof input === 'string') {
    text = input;
  } else {
    try {
      text = utf8.decode(input);
    } catch {
      throw new DecodeError('malformed_json', 'invalid UTF-8');
    }
  }
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (e) {
    throw new DecodeError('malformed_json', e instanceof Error ? e.message : 'bad JSON');
  }
  if (depthOf(value, maxDepth + 1) > maxDepth) {
    throw new DecodeError('malformed_json', `nesting deeper than ${maxDepth}`);
  }
  return value;
}

/**
 * The nesting depth of `value`, counted no further than `stopAt` levels: recursion stays that
 * shallow however deep a hostile document goes (JSON.parse takes 100 000 levels; walking them
 * all overflowed the stack).
 */
function depthOf(value: unknown, stopAt: number): number {
  if (value === null || typeof value !== 'object') return 0;
  if (stopAt <= 1) return 1;
  let max = 0;
  const children = Array.isArray(value) ? value : Object.values(value);
  for (const child of children) {
    const d = depthOf(child, stopAt - 1);
    if (d > max) max = d;
    if (max + 1 >= stopAt) break;
  }
  return max + 1;
}

export function isObject(v: unknown): v is JsonObject {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/** Field readers: `null` and absent are the same; a wrong type throws `wrong_type`. */
export function optObject(o: JsonObject, key: string, where: string): JsonObject | undefined {
  const v = o[key];
  if (v === undefined || v === null) return undefined;
  if (!isObject(v)) throw new DecodeError('wrong_type', `${where}.${key} must be an object`);
  return v;
}

export function optString(o: JsonObject, key: string, where: string): string | undefined {
  const v = o[key];
  if (v === undefined || v === null) return undefined;
  if (typeof v !== 'string')
    throw new DecodeError('wrong_type', `${where}.${key} must be a string`);
  return v;
}

export function reqString(o: JsonObject, key: string, where: string): string {
  const v = optString(o, key, where);
  if (v === undefined) throw new DecodeError('missing_field', `${where}.${key} is required`);
  return v;
}

/** An unsigned integer (the original's uint64 fields). */
export function optUint(o: JsonObject, key: string, where: string): number | undefined {
  const v = o[key];
  if (v === undefined || v === null) return undefined;
  if (typeof v !== 'number' || !Number.isInteger(v) || v < 0) {
    throw new DecodeError('wrong_type', `${where}.${key} must be an unsigned integer`);
  }
  return v;
}

export function optInt(o: JsonObject, key: string, where: string): number | undefined {
  const v = o[key];
  if (v === undefined || v === null) return undefined;
  if (typeof v !== 'number' || !Number.isInteger(v)) {
    throw new DecodeError('wrong_type', `${where}.${key} must be an integer`);
  }
  return v;
}

export function optNumber(o: JsonObject, key: string, where: string): number | undefined {
  const v = o[key];
  if (v === undefined || v === null) return undefined;
  if (typeof v !== 'number' || !Number.isFinite(v)) {
    throw new DecodeError('wrong_type', `${where}.${key} must be a number`);
  }
  return v;
}

export function optStringMap(
  o: JsonObject,
  key: string,
  where: string,
): Record<string, string> | undefined {
  const v = optObject(o, key, where);
  if (!v) return undefined;
  const out: Record<string, string> = {};
  for (const [k, val] of Object.entries(v)) {
    if (typeof val !== 'string')
      throw new DecodeError('wrong_type', `${where}.${key}.${k} must be a string`);
    out[k] = val;
  }
  return out;
}

export function optStringArray(o: JsonObject, key: string, where: string): string[] | undefined {
  const v = o[key];
  if (v === undefined || v === null) return undefined;
  if (!Array.isArray(v)) throw new DecodeError('wrong_type', `${where}.${key} must be a list`);
  return v.map((item) => {
    if (typeof item !== 'string')
      throw new DecodeError('wrong_type', `${where}.${key} items must be strings`);
    return item;
  });
}

/** An untrusted JSON document that must be an object (`what` names it in the error). */
export function decodeObject(text: string, what: string): Result<JsonObject> {
  let root: unknown;
  try {
    root = parseJson(text);
  } catch (e) {
    if (e instanceof DecodeError) return fail(e.code, e.message);
    throw e;
  }
  return isObject(root) ? ok(root) : fail('not_an_object', `${what} must be an object`);
}
