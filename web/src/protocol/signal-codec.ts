import {
  isObject,
  optInt,
  optObject,
  optString,
  optStringArray,
  optStringMap,
  optUint,
  parseJson,
  reqString,
  type JsonObject,
} from './json';
import { DecodeError, fail, ok, type Result } from './result';
import type { EchoPayload, SignalEnvelope } from './types';

/**
 * Decodes one signalling frame (PROTOCOL.md 1.2). Unknown keys are ignored, `null` counts as
 * absent, and a known key of the wrong JSON type refuses the whole frame, exactly as the
 * C++ codec does (the shared fixtures under tests/fixtures/protocol check both).
 */
export function decodeSignal(input: string | Uint8Array): Result<SignalEnvelope> {
  try {
    const root = parseJson(input);
    if (!isObject(root)) return fail('not_an_object', 'a frame must be a JSON object');
    return ok(readEnvelope(root));
  } catch (e) {
    if (e instanceof DecodeError) return fail(e.code, e.message);
    throw e;
  }
}

export function encodeSignal(envelope: SignalEnvelope): string {
  return JSON.stringify(envelope);
}

function readEnvelope(o: JsonObject): SignalEnvelope {
  const env: SignalEnvelope = {};
  const nodeId = optString(o, 'node_id', 'envelope');
  if (nodeId !== undefined) env.node_id = nodeId;

  const reg = optObject(o, 'register', 'envelope');
  if (reg) {
    env.register = { node_name: optString(reg, 'node_name', 'register') ?? '' };
    const token = optString(reg, 'token', 'register');
    if (token !== undefined) env.register.token = token;
  }

  const echo = optObject(o, 'echo', 'envelope');
  if (echo) env.echo = readEcho(echo);

  const ann = optObject(o, 'attributes_announcement', 'envelope');
  if (ann) {
    env.attributes_announcement = {};
    const attributes = optStringMap(ann, 'attributes', 'attributes_announcement');
    const withdrawals = optStringArray(ann, 'withdrawals', 'attributes_announcement');
    if (attributes) env.attributes_announcement.attributes = attributes;
    if (withdrawals) env.attributes_announcement.withdrawals = withdrawals;
  }

  const rename = optObject(o, 'rename', 'envelope');
  if (rename) {
    const pref = optObject(rename, 'new_preference', 'rename') ?? {};
    const name = optString(pref, 'name', 'new_preference');
    const color = optInt(pref, 'indexOfPreferColor', 'new_preference');
    env.rename = { new_preference: {} };
    if (name !== undefined) env.rename.new_preference.name = name;
    if (color !== undefined) env.rename.new_preference.indexOfPreferColor = color;
    const origin = optString(rename, 'origin_node_name', 'rename');
    if (origin !== undefined) env.rename.origin_node_name = origin;
  }

  for (const key of ['online', 'offline'] as const) {
    const ref = optObject(o, key, 'envelope');
    if (ref) env[key] = { node_id: optString(ref, 'node_id', key) ?? '' };
  }

  const sdp = optObject(o, 'sdp_offer', 'envelope');
  if (sdp) {
    const type = optString(sdp, 'type', 'sdp_offer') ?? '';
    if (type !== 'offer' && type !== 'answer') {
      throw new DecodeError('invalid_value', 'sdp_offer.type must be offer or answer');
    }
    env.sdp_offer = { type, ...readRelay(sdp, 'sdp_offer') };
  }

  const ice = optObject(o, 'ice_offer', 'envelope');
  if (ice) env.ice_offer = readRelay(ice, 'ice_offer');

  const err = optObject(o, 'error', 'envelope');
  if (err) {
    env.error = {
      code: optString(err, 'code', 'error') ?? '',
      message: optString(err, 'message', 'error') ?? '',
    };
  }
  return env;
}

/** The fields every relayed payload (`sdp_offer`, `ice_offer`) carries. */
function readRelay(
  r: JsonObject,
  key: 'sdp_offer' | 'ice_offer',
): { offer_json: string; from_node_id: string; to_node_id: string } {
  return {
    offer_json: optString(r, 'offer_json', key) ?? '',
    from_node_id: optString(r, 'from_node_id', key) ?? '',
    to_node_id: optString(r, 'to_node_id', key) ?? '',
  };
}

function readEcho(e: JsonObject): EchoPayload {
  const direction = optString(e, 'direction', 'echo') ?? '';
  return {
    direction: direction === 'pong' ? 'pong' : 'ping',
    correlation_id: optString(e, 'correlation_id', 'echo') ?? '',
    server_timestamp: optUint(e, 'server_timestamp', 'echo') ?? 0,
    timestamp: optUint(e, 'timestamp', 'echo') ?? 0,
    seq_id: optUint(e, 'seq_id', 'echo') ?? 0,
  };
}

/** The RTCSessionDescriptionInit inside `sdp_offer.offer_json`, validated. */
export function decodeSessionDescription(json: string): Result<RTCSessionDescriptionInit> {
  try {
    const o = parseJson(json);
    if (!isObject(o)) return fail('not_an_object', 'offer_json must hold an object');
    const type = reqString(o, 'type', 'offer_json');
    if (type !== 'offer' && type !== 'answer') {
      return fail('invalid_value', 'description type must be offer or answer');
    }
    return ok({ type, sdp: reqString(o, 'sdp', 'offer_json') });
  } catch (e) {
    if (e instanceof DecodeError) return fail(e.code, e.message);
    throw e;
  }
}

/** The RTCIceCandidateInit inside `ice_offer.offer_json`, validated. */
export function decodeCandidate(json: string): Result<RTCIceCandidateInit> {
  try {
    const o = parseJson(json);
    if (!isObject(o)) return fail('not_an_object', 'offer_json must hold an object');
    const c: RTCIceCandidateInit = { candidate: optString(o, 'candidate', 'candidate') ?? '' };
    const mid = optString(o, 'sdpMid', 'candidate');
    const index = optUint(o, 'sdpMLineIndex', 'candidate');
    const ufrag = optString(o, 'usernameFragment', 'candidate');
    if (mid !== undefined) c.sdpMid = mid;
    if (index !== undefined) c.sdpMLineIndex = index;
    if (ufrag !== undefined) c.usernameFragment = ufrag;
    return ok(c);
  } catch (e) {
    if (e instanceof DecodeError) return fail(e.code, e.message);
    throw e;
  }
}
