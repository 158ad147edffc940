/** The successor family's answer envelope, as the simulator writes it (docs/memories-api.md §1.3). */
import type { ServerResponse } from 'node:http';
import { sendJsonText } from './simulated-api.js';

/** `{code, msg, data, success, failed}` with `data` given as JSON text, so that ids above 2^53 can be written as the numbers MAVI writes. */
export function envelopeWithJson(res: ServerResponse, code: string, msg: string, dataJson = 'null'): void {
  sendJsonText(
    res,
    200,
    `{"code":${JSON.stringify(code)},"msg":${JSON.stringify(msg)},"data":${dataJson},"success":${code === '0000'},"failed":${code !== '0000'}}`,
  );
}

/** The envelope with `data` as a value. */
export function envelope(res: ServerResponse, code: string, msg: string, data: unknown = null): void {
  envelopeWithJson(res, code, msg, JSON.stringify(data) ?? 'null');
}
