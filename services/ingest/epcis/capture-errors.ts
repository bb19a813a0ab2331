/**
 * What a capture tells about each event it could not take: an RFC 7807 problem as the EPCIS
 * REST binding's capture job lists them, plus where it is (`index`, `eventID`, `path`), and the
 * unresolved links of the events it took.
 */
import type { CaptureError, CaptureResult, CaptureWarning } from '../../common/api/epcis.js';
import { SuyuanError, type ErrorCode } from '../../common/errors.js';

export type { CaptureError, CaptureResult, CaptureWarning };

export type ErrorBehaviour = 'rollback' | 'proceed';

export interface CaptureOutcome {
  readonly success: boolean;
  readonly results: CaptureResult[];
  readonly errors: CaptureError[];
  readonly warnings: CaptureWarning[];
}

/** The EPCIS exception of each refusal (EPCIS 2.0 §12.3). */
const EXCEPTION: Partial<Record<ErrorCode, { type: string; status: number }>> = {
  invalid_event: { type: 'epcisException:ValidationException', status: 400 },
  invalid_request: { type: 'epcisException:ValidationException', status: 400 },
  forbidden: { type: 'epcisException:SecurityException', status: 403 },
  conflict: { type: 'epcisException:ResourceAlreadyExistsException', status: 409 },
};

export function captureError(
  code: ErrorCode,
  index: number,
  eventID: string | undefined,
  path: string,
  message: string,
): CaptureError {
  const exception = EXCEPTION[code] ?? EXCEPTION.invalid_event!;
  const where = path ? `eventList[${index}].${path}` : `eventList[${index}]`;
  return {
    ...exception,
    title: `${where}: ${message}`,
    index,
    ...(eventID ? { eventID } : {}),
    path,
    detail: message,
  };
}

/** The refusal of a single-event capture (POST /epcis/events): one SuyuanError. */
export function refusalOf(errors: readonly CaptureError[]): SuyuanError {
  const [first] = errors;
  const code: ErrorCode =
    first?.status === 403 ? 'forbidden' : first?.status === 409 ? 'conflict' : 'invalid_event';
  const message = first
    ? first.title.replace(/^eventList\[0\](?:\.|: )?/, '')
    : 'the event was refused';
  return new SuyuanError(code, message || 'the event was refused', {
    details: errors.map((error) => ({
      index: error.index,
      ...(error.eventID ? { eventId: error.eventID } : {}),
      path: error.path,
      message: error.detail,
    })),
  });
}
