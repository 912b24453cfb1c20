/**
 * Exponential backoff with jitter: attempt n waits base*2^n capped at max, scaled by a random
 * factor in [0.5, 1) so that many clients losing the same server do not return in lockstep.
 */
export function backoffDelay(
  attempt: number,
  baseMs: number,
  maxMs: number,
  random = Math.random,
): number {
  const exp = Math.min(maxMs, baseMs * 2 ** Math.max(0, attempt));
  return Math.round(exp * (0.5 + random() / 2));
}
