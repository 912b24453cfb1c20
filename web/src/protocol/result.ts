/** Error codes for refused untrusted input: the names of common/protocol_error.hpp. */
export type ProtocolErrorCode =
  | 'malformed_json'
  | 'not_an_object'
  | 'wrong_type'
  | 'invalid_value'
  | 'too_large'
  | 'missing_field';

export interface ProtocolError {
  code: ProtocolErrorCode;
  message: string;
}

export type Result<T> = { ok: true; value: T } | { ok: false; error: ProtocolError };

export const ok = <T>(value: T): Result<T> => ({ ok: true, value });
export const fail = <T>(code: ProtocolErrorCode, message: string): Result<T> => ({
  ok: false,
  error: { code, message },
});

/** Thrown inside a decoder and turned into a `Result` at its boundary. */
export class DecodeError extends Error {
  constructor(
    readonly code: ProtocolErrorCode,
    message: string,
  ) {
    super(message);
  }
}
