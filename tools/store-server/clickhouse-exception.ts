/**
 * Errors as the ClickHouse HTTP interface reports them: the text `Code: N. DB::Exception: … (TYPE)`
 * in the body, the code in `X-ClickHouse-Exception-Code`, and an HTTP status chosen from the code
 * the way the server chooses it. @clickhouse/client parses that text into its ClickHouseError.
 */

/** The exception codes this endpoint raises itself (the engine raises the rest). */
export const EXCEPTION_CODES = {
  BAD_ARGUMENTS: 36,
  NOT_IMPLEMENTED: 48,
  SYNTAX_ERROR: 62,
  UNKNOWN_SETTING: 115,
  AUTHENTICATION_FAILED: 516,
  STD_EXCEPTION: 1001,
} as const;

export type ExceptionType = keyof typeof EXCEPTION_CODES;

// After the server's exceptionCodeToHTTPStatus (src/Server/HTTPHandler.cpp), for the codes that
// matter here; every other code is a 500.
const BAD_REQUEST = [6, 26, 27, 38, 41, 53, 62, 72, 117, 321, 456, 457];
const NOT_FOUND = [46, 47, 50, 56, 60, 63, 73, 81, 115];
const UNAUTHORIZED = [192, 193, 194, 516];

function statusFor(code: number): number {
  if (UNAUTHORIZED.includes(code)) return 401;
  if (code === 164) return 403; // READONLY
  if (NOT_FOUND.includes(code)) return 404;
  if (BAD_REQUEST.includes(code)) return 400;
  if (code === EXCEPTION_CODES.NOT_IMPLEMENTED) return 501;
  return 500;
}

export class ClickHouseException extends Error {
  readonly code: number;
  /** The full `Code: N. DB::Exception: …` text sent as the response body. */
  readonly text: string;
  readonly status: number;

  constructor(code: number, text: string) {
    super(text);
    this.name = 'ClickHouseException';
    this.code = code;
    this.text = text;
    this.status = statusFor(code);
  }

  static of(type: ExceptionType, message: string): ClickHouseException {
    const code = EXCEPTION_CODES[type];
    return new ClickHouseException(code, `Code: ${code}. DB::Exception: ${message}. (${type})`);
  }

  /** The engine's own error text carries its code; anything else becomes STD_EXCEPTION. */
  static fromEngine(error: unknown): ClickHouseException {
    if (error instanceof ClickHouseException) return error;
    const message = error instanceof Error ? error.message : String(error);
    const code = /Code: (\d+)\. /.exec(message)?.[1];
    return code === undefined
      ? ClickHouseException.of('STD_EXCEPTION', message)
      : new ClickHouseException(Number(code), message);
  }
}
