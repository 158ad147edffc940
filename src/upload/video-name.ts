/**
 * The one rule for a video's name, whichever path names it (a multipart file's name, a URL's
 * last segment, a resumable upload's Upload-Metadata): the name is shown in lists, logs and
 * terminals, so it may not carry what changes how text around it is shown.
 *  - at most MAX_VIDEO_NAME_CHARS characters;
 *  - no control characters: C0, DEL and C1 (U+0085, U+009B, a terminal's CSI);
 *  - no line or paragraph separators (U+2028, U+2029);
 *  - no bidirectional controls (U+061C, U+200E, U+200F, U+202A–U+202E, U+2066–U+2069): an
 *    override turns "clip\u202Egnp.exe" into what reads as "clipexe.png".
 * Other format characters stay: emoji sequences need the zero-width joiner.
 */
import { refusal, type Refusal } from '../errors.js';

const MAX_VIDEO_NAME_CHARS = 255;

const UNSHOWABLE = /[\p{Cc}\u061C\u200E\u200F\u2028\u2029\u202A-\u202E\u2066-\u2069]/u;

/** Why `name` cannot name a video (INVALID_INPUT), or undefined when it can. */
export function videoNameRefusal(name: string): Refusal | undefined {
  if ([...name].length <= MAX_VIDEO_NAME_CHARS && !UNSHOWABLE.test(name)) return undefined;
  return refusal(
    'INVALID_INPUT',
    `A video's name must be at most ${MAX_VIDEO_NAME_CHARS} characters, without control characters (C0, DEL, C1), line separators or bidirectional controls (U+202A–U+202E, U+2066–U+2069, …); nothing was sent to MAVI.`,
  );
}

/** The most bytes (UTF-8) of the app's own text a video carries (`passthrough`). */
const MAX_PASSTHROUGH_BYTES = 1024;

/** Why `passthrough` cannot be kept with a video (INVALID_INPUT), or undefined when it can. */
export function passthroughRefusal(passthrough: string | undefined): Refusal | undefined {
  if (passthrough === undefined) return undefined;
  const bytes = Buffer.byteLength(passthrough);
  if (bytes <= MAX_PASSTHROUGH_BYTES) return undefined;
  return refusal(
    'INVALID_INPUT',
    `passthrough is ${bytes} bytes (UTF-8); at most ${MAX_PASSTHROUGH_BYTES} are kept with a video. Nothing was sent to MAVI.`,
  );
}
