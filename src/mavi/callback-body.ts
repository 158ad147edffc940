/**
 * Checks a callback body against the shape both MAVI families document,
 * `{"videoNo": "mavi_video_…" | "VI…", "status": "PARSE"}` (the original family
 * adds `clientId`), and names the first problem it finds. Other fields are
 * tolerated (MAVI may add some); so is any status string, which the route reads.
 */

export class CallbackInputError extends Error {
  override name = 'CallbackInputError';
}

export interface ParsedCallback {
  videoNo: string;
  /** As MAVI spelled it; mavi/types.ts normalizeStatus reads it. */
  status: string;
}

export function parseCallback(text: string): ParsedCallback {
  let body: unknown;
  try {
    body = JSON.parse(text);
  } catch {
    throw new CallbackInputError('The body is not valid JSON.');
  }
  if (body === null || typeof body !== 'object' || Array.isArray(body)) {
    throw new CallbackInputError('The body must be a JSON object.');
  }
  const fields = body as Record<string, unknown>;
  for (const name of ['videoNo', 'status'] as const) {
    if (fields[name] === undefined || fields[name] === null) {
      throw new CallbackInputError(`The field "${name}" is missing.`);
    }
    if (typeof fields[name] !== 'string' || fields[name] === '') {
      throw new CallbackInputError(`The field "${name}" must be a non-empty string.`);
    }
  }
  return { videoNo: fields.videoNo as string, status: fields.status as string };
}
