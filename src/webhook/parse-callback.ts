/**
 * Checks a callback body against MAVI's documented shape,
 * `{"videoNo": "mavi_video_…", "clientId": "…", "status": "PARSE"}`,
 * and names the first problem it finds. Unknown extra fields are tolerated:
 * MAVI may add some.
 */
import { isVideoStatus, videoStatuses, type MaviCallback } from '../mavi/types.js';

export class CallbackInputError extends Error {
  override name = 'CallbackInputError';
}

export function parseCallback(text: string): MaviCallback {
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
  for (const name of ['videoNo', 'clientId', 'status'] as const) {
    if (fields[name] === undefined || fields[name] === null) {
      throw new CallbackInputError(`The field "${name}" is missing.`);
    }
    if (typeof fields[name] !== 'string' || fields[name] === '') {
      throw new CallbackInputError(`The field "${name}" must be a non-empty string.`);
    }
  }
  if (!isVideoStatus(fields.status)) {
    throw new CallbackInputError(
      `The field "status" must be one of ${videoStatuses.join(', ')}; got "${String(fields.status).slice(0, 40)}".`,
    );
  }
  return { videoNo: fields.videoNo as string, clientId: fields.clientId as string, status: fields.status };
}
