/**
 * `chat`: MAVI's streamed answer about the caller's videos, piece by piece.
 *
 * Conversations: the client names one by the `sessionId` the gateway gave it at
 * the end of the previous answer, whatever the family does underneath. The
 * gateway keeps each session (24 h, in the key-value store, so any instance and
 * a restarted one continue it): its owner, the turns so far, which the original
 * family is sent as `history`, and the successor's server-side `session_id`,
 * which that family is sent instead. A session is its owner's only: another
 * client's id is CHAT_SESSION_NOT_FOUND, as an unknown one.
 *
 * The upstream stream is read only as fast as the subscriber takes pieces (each
 * push waits for the reader), and it is aborted at MAVI the moment the
 * subscriber leaves: the Repeater's stop aborts the request.
 */
import type { Viewer } from '../identity.js';
import { randomBytes } from 'node:crypto';
import { Repeater } from 'graphql-yoga';
import { gatewayError } from '../errors.js';
import type { KeyValueStore } from '../kv/key-value-store.js';
import type { Logger } from '../logger.js';
import type { ChatPiece, ChatTurn, MaviApi } from '../mavi/api.js';
import { MaviError } from '../mavi/errors.js';
import type { CostControl } from '../limits/cost-control.js';
import { onePartition, type VideoLibrary } from './video-library.js';

/** What a chat subscriber receives: MAVI's pieces, then the end with the session to continue. */
export type ChatEvent = Exclude<ChatPiece, { kind: 'session' }> | { kind: 'done'; sessionId: string };

export interface ChatRequest {
  videoNos: readonly string[];
  message: string;
  sessionId: string | undefined;
}

export const MAX_CHAT_VIDEOS = 20;
export const MAX_MESSAGE_CHARS = 4000;
const SESSION_TTL_MS = 24 * 60 * 60 * 1000;
/** The turns a session keeps (the oldest go first), and their size bound: history is re-sent on every turn. */
const MAX_TURNS = 20;
const MAX_HISTORY_CHARS = 64 * 1024;

interface Session {
  ownerId: string;
  turns: ChatTurn[];
  maviSessionId?: string;
}

/** How long and how large one answer may grow before it is cut (CHAT_MAX_ANSWER_MS, CHAT_MAX_ANSWER_BYTES). */
interface ChatLimits {
  maxAnswerMs: number;
  maxAnswerBytes: number;
}

export interface ChatsDeps {
  mavi: MaviApi;
  limits: ChatLimits;
  library: VideoLibrary;
  records: KeyValueStore;
  cost: CostControl;
  logger: Logger;
}

const sessionKey = (sessionId: string) => `chat:${sessionId}`;
/** An owner's sessions, found by prefix when the owner is erased; the value is the owner id, checked. */
const ownerSessionPrefix = (ownerId: string) => `chat-owner:${ownerId}:`;
/** Sessions forgotten per read of the owner's index. */
const ERASE_BATCH = 500;

export class Chats {
  /** Chats streaming now: each one's upstream call. */
  private readonly open = new Set<AbortController>();

  constructor(private readonly deps: ChatsDeps) {}

  /** Chats streaming from MAVI now (the chats-streaming gauge). */
  get streaming(): number {
    return this.open.size;
  }

  /** Checks the request (every refusal before MAVI is asked), then streams the answer. */
  async start(viewer: Viewer, request: ChatRequest): Promise<AsyncIterable<ChatEvent>> {
    const { ownerId } = viewer;
    const message = request.message.trim();
    if (message === '') throw gatewayError('INVALID_INPUT', 'The message is empty.');
    if (message.length > MAX_MESSAGE_CHARS) {
      throw gatewayError(
        'INVALID_INPUT',
        `The message has ${message.length} characters; at most ${MAX_MESSAGE_CHARS} are taken.`,
      );
    }
    const videoNos = [...new Set(request.videoNos)];
    if (videoNos.length === 0 || videoNos.length > MAX_CHAT_VIDEOS) {
      throw gatewayError('INVALID_INPUT', `A chat is about 1 to ${MAX_CHAT_VIDEOS} videos; got ${videoNos.length}.`);
    }
    const records = await this.deps.library.requireOwned(viewer, videoNos);
    const unready = records.find((record) => record.status !== 'PARSE');
    if (unready) {
      throw gatewayError(
        'VIDEO_NOT_READY',
        `The video "${unready.videoNo}" is ${unready.status === 'FAIL' ? 'failed' : 'not processed yet'}: chat needs videos with status PARSE.`,
      );
    }
    // The videos are asked about where they live at MAVI.
    const partition = onePartition(records);
    const sessionId = request.sessionId ?? randomBytes(16).toString('base64url');
    const session =
      request.sessionId === undefined ? { ownerId, turns: [] } : await this.session(ownerId, request.sessionId);
    await this.deps.cost.spend('chat', ownerId);
    return this.stream(ownerId, partition, videoNos, message, sessionId, session);
  }

  /**
   * Erasure: forgets every chat session of the owner (kept since 0.4.0 in an index per owner;
   * older sessions expire within 24 h). Answers how many went.
   */
  async forgetOwner(ownerId: string): Promise<number> {
    const { records } = this.deps;
    const prefix = ownerSessionPrefix(ownerId);
    let forgotten = 0;
    for (;;) {
      const keys = await records.keys(prefix, ERASE_BATCH);
      for (const key of keys) {
        // A prefix may also match a longer owner id: the value says whose it is.
        if ((await records.get(key)) === ownerId) {
          await records.delete(sessionKey(key.slice(prefix.length)));
          forgotten += 1;
        }
        await records.delete(key);
      }
      if (keys.length < ERASE_BATCH) return forgotten;
    }
  }

  private async session(ownerId: string, sessionId: string): Promise<Session> {
    const text = await this.deps.records.get(sessionKey(sessionId));
    const session = text === undefined ? undefined : (JSON.parse(text) as Session);
    if (session?.ownerId !== ownerId) {
      throw gatewayError(
        'CHAT_SESSION_NOT_FOUND',
        `No chat session ${JSON.stringify(sessionId.slice(0, 100))} is known to you.`,
      );
    }
    return session;
  }

  private stream(
    ownerId: string,
    partition: string,
    videoNos: string[],
    message: string,
    sessionId: string,
    session: Session,
  ): AsyncIterable<ChatEvent> {
    const { maxAnswerMs, maxAnswerBytes } = this.deps.limits;
    return new Repeater<ChatEvent>(async (push, stop) => {
      const upstream = new AbortController();
      this.open.add(upstream);
      void stop.then(() => upstream.abort());
      /** Set when the answer outgrew a bound: the subscriber is told, and MAVI's request is aborted. */
      let cut: Error | undefined;
      const cutShort = (error: Error) => {
        cut ??= error;
        upstream.abort();
      };
      const deadline = setTimeout(
        () =>
          cutShort(
            gatewayError(
              'CHAT_ANSWER_TOO_LONG',
              `MAVI's answer took longer than ${maxAnswerMs} ms (CHAT_MAX_ANSWER_MS): it was cut.`,
            ),
          ),
        maxAnswerMs,
      );
      let answer = '';
      let answerBytes = 0;
      let maviSessionId = session.maviSessionId;
      try {
        const pieces = this.deps.mavi.chat({
          videoNos,
          message,
          partition,
          history: session.turns,
          maviSessionId,
          signal: upstream.signal,
        });
        for await (const piece of pieces) {
          if (upstream.signal.aborted) break;
          if (piece.kind === 'session') {
            maviSessionId = piece.maviSessionId;
            continue;
          }
          answerBytes += piecesBytes(piece);
          if (answerBytes > maxAnswerBytes) {
            cutShort(
              gatewayError(
                'CHAT_ANSWER_TOO_LONG',
                `MAVI's answer grew past ${maxAnswerBytes} bytes (CHAT_MAX_ANSWER_BYTES): it was cut.`,
              ),
            );
            break;
          }
          // What is stored is bounded, whatever the size of one piece: history is re-sent on every turn.
          if (piece.kind === 'text') answer = (answer + piece.text).slice(0, MAX_HISTORY_CHARS - message.length);
          await push(piece); // resolves when the subscriber takes it: MAVI is read no faster
        }
        if (cut) return stop(cut);
        if (upstream.signal.aborted) return;
        await this.deps.records.set(ownerSessionPrefix(ownerId) + sessionId, ownerId, SESSION_TTL_MS);
        await this.deps.records.set(
          sessionKey(sessionId),
          JSON.stringify({
            ownerId,
            turns: trimmed([...session.turns, { user: message, assistant: answer }]),
            maviSessionId,
          }),
          SESSION_TTL_MS,
        );
        await push({ kind: 'done', sessionId });
        stop();
      } catch (error) {
        if (cut) return stop(cut);
        if (upstream.signal.aborted) return; // the subscriber left: nothing to tell anyone
        stop(error instanceof MaviError ? error.toGatewayError() : error);
      } finally {
        clearTimeout(deadline);
        this.open.delete(upstream);
        upstream.abort(); // whatever ended the stream, MAVI's request ends with it
      }
    });
  }
}

/** The bytes a piece carries to the subscriber (its strings, as UTF-8). */
function piecesBytes(piece: ChatEvent): number {
  let bytes = 0;
  for (const value of Object.values(piece)) if (typeof value === 'string') bytes += Buffer.byteLength(value);
  return bytes;
}

/** The last MAX_TURNS turns, fewer when they exceed MAX_HISTORY_CHARS. */
function trimmed(turns: ChatTurn[]): ChatTurn[] {
  const kept = turns.slice(-MAX_TURNS);
  let size = kept.reduce((sum, turn) => sum + turn.user.length + turn.assistant.length, 0);
  while (kept.length > 1 && size > MAX_HISTORY_CHARS) {
    const dropped = kept.shift()!;
    size -= dropped.user.length + dropped.assistant.length;
  }
  return kept;
}
