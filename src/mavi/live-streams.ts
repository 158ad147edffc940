/**
 * Live-stream understanding at MAVI's stream host (docs/memories-api.md §2.15):
 * `POST /v1/understand/streamConnect` starts analysing an RTMP stream and answers a task id;
 * `POST /v1/understand/stop/{task_id}` stops it. Results are POSTed to the callback about
 * every 5 s (the gateway's live route reads them).
 *
 * Two pages disagree on the start's answer: `{status: 0, task_id}`, or the usual envelope
 * `{code: "0000", data: {task_id}}`. Both are read. A refusal for capacity (code 16, "stream
 * processing capacity reached") is LIVE_CAPACITY_FULL; the stop's `status: 14` ("stopped") is
 * success.
 */
import type { LiveStreamStart, MaviLiveStreams } from './api.js';
import { gatewayError } from '../errors.js';
import { MaviError, normalizeMaviCode } from './errors.js';
import type { Envelope, MaviHttp } from './http.js';

const PREFIX = '/v1/understand/';
/** The stream host's codes: started, stopped, and no capacity left on the key. */
const STARTED = 0;
const STOPPED = 14;
const CAPACITY_REACHED = '0016';

export function liveStreams(http: MaviHttp): MaviLiveStreams {
  return {
    async start(request: LiveStreamStart) {
      let data: { task_id?: unknown; taskId?: unknown } | undefined;
      try {
        data = await http.call(`${PREFIX}streamConnect`, {
          method: 'POST',
          headers: { 'content-type': 'application/json' },
          body: JSON.stringify({
            url: request.streamUrl,
            user_prompt: request.prompt,
            system_prompt: request.systemPrompt ?? '',
            callback: request.callbackUrl,
            thinking: false,
          }),
          envelopeOf: statusEnvelope([STARTED]),
        });
      } catch (error) {
        if (error instanceof MaviError && normalizeMaviCode(error.context.maviCode ?? '') === CAPACITY_REACHED) {
          throw gatewayError(
            'LIVE_CAPACITY_FULL',
            "MAVI refused the stream: the key's live streams are all taken (perhaps by another app on the same key).",
          );
        }
        throw error;
      }
      const taskId = data?.task_id ?? data?.taskId;
      if ((typeof taskId !== 'string' || taskId === '') && typeof taskId !== 'number') {
        throw new MaviError('MAVI_UNAVAILABLE', 'MAVI answered the live stream start without a task id.');
      }
      return String(taskId);
    },

    async stop(taskId) {
      await http.call(
        `${PREFIX}stop/${encodeURIComponent(taskId)}`,
        { method: 'POST', envelopeOf: statusEnvelope([STARTED, STOPPED]) },
        // A task MAVI no longer runs (stopped already, out of credits) is what was asked.
        (error) => error.code === 'MAVI_REJECTED',
      );
    },

    close: () => http.close(),
  };
}

/**
 * The stream host's `{status, task_id}` as MAVI's usual envelope: a `status` among `success`
 * is code "0000", with the whole answer as its data. An answer with a `code` is one already.
 */
function statusEnvelope(success: readonly number[]): (answer: Record<string, unknown>) => Envelope {
  return (answer) => {
    if ('code' in answer) return answer;
    const status = typeof answer.status === 'number' ? answer.status : Number(answer.status);
    return {
      code: success.includes(status) ? '0000' : String(answer.status),
      msg: answer.msg ?? answer.message,
      data: answer,
    };
  };
}
