/**
 * One error shape for the whole platform: a code from a fixed list, a retryable flag and a cause.
 * The HTTP status for each code is chosen in one place (services/common/http/error-handler.ts).
 */
export const ERROR_CODES = {
  invalid_event: { retryable: false, status: 400 },
  invalid_request: { retryable: false, status: 400 },
  unauthorized: { retryable: false, status: 401 },
  forbidden: { retryable: false, status: 403 },
  not_found: { retryable: false, status: 404 },
  method_not_allowed: { retryable: false, status: 405 },
  conflict: { retryable: false, status: 409 },
  payload_too_large: { retryable: false, status: 413 },
  uri_too_long: { retryable: false, status: 414 },
  unsupported_media_type: { retryable: false, status: 415 },
  rate_limited: { retryable: true, status: 429 },
  log_unavailable: { retryable: true, status: 503 },
  store_unavailable: { retryable: true, status: 503 },
  /** A service behind the gateway gave no answer (down, restarting, or too slow). */
  unavailable: { retryable: true, status: 503 },
  /** The event is recorded, and no signed checkpoint covers it yet: one will within seconds. */
  not_checkpointed: { retryable: true, status: 503 },
  /** The store answered and refused the values sent: waiting will not make it take them. */
  store_refused: { retryable: false, status: 500 },
  decode_failed: { retryable: false, status: 500 },
  config_invalid: { retryable: false, status: 500 },
  startup_failed: { retryable: false, status: 500 },
  internal: { retryable: false, status: 500 },
} as const;

export type ErrorCode = keyof typeof ERROR_CODES;

/** Where a piece of bad input is, and what is wrong with it. */
export interface FieldIssue {
  readonly index?: number;
  readonly eventId?: string;
  readonly path: string;
  readonly message: string;
}

export class SuyuanError extends Error {
  readonly code: ErrorCode;
  readonly retryable: boolean;
  readonly details: readonly FieldIssue[] | undefined;

  constructor(
    code: ErrorCode,
    message: string,
    options: { cause?: unknown; details?: readonly FieldIssue[] } = {},
  ) {
    super(message, { cause: options.cause });
    this.name = 'SuyuanError';
    this.code = code;
    this.retryable = ERROR_CODES[code].retryable;
    this.details = options.details;
  }
}

export function isSuyuanError(error: unknown): error is SuyuanError {
  return error instanceof SuyuanError;
}
