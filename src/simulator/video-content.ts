/**
 * What the simulated MAVI "understands" of a video, for every family alike, and
 * deterministic so that tests can assert exact answers: search matches the
 * query's words against the file name, clips and transcript segments are fixed
 * shapes, and chat streams a fixed script of thinking, references and text.
 */
import type { ServerResponse } from 'node:http';
import type { ChatStreamStats, SimulatedVideo } from './simulated-api.js';

/** The query's words: lower case, letters and digits, at least two characters. */
function wordsOf(text: string): string[] {
  return text.toLowerCase().match(/[\p{L}\p{N}]{2,}/gu) ?? [];
}

/** The share of the query's words found in the video's file name (0 to 1); 0 is no match. */
function matchScore(video: SimulatedVideo, query: string): number {
  const words = wordsOf(query);
  if (words.length === 0) return 0;
  const name = video.videoName.toLowerCase();
  return words.filter((word) => name.includes(word)).length / words.length;
}

/** Processed videos matching the query, best first (ties: by videoNo). */
export function searchVideos(
  videos: Iterable<SimulatedVideo>,
  query: string,
): { video: SimulatedVideo; score: number }[] {
  return [...videos]
    .filter((video) => video.videoStatus === 'PARSE')
    .map((video) => ({ video, score: matchScore(video, query) }))
    .filter((hit) => hit.score > 0)
    .sort((a, b) => b.score - a.score || a.video.videoNo.localeCompare(b.video.videoNo));
}

/** The two moments found in every matching video: 0–4 s (the score) and 4–8 s (half of it). */
export function clipsOf(hit: { video: SimulatedVideo; score: number }) {
  return [
    { video: hit.video, startTime: 0, endTime: 4, score: hit.score },
    { video: hit.video, startTime: 4, endTime: 8, score: hit.score / 2 },
  ];
}

/** Three segments of two seconds: "Speech 1 of clip.mp4"… or "Scene 1 of clip.mp4"…. */
export function transcriptOf(video: SimulatedVideo, kind: 'AUDIO' | 'VIDEO') {
  const word = kind === 'AUDIO' ? 'Speech' : 'Scene';
  return [1, 2, 3].map((index) => ({
    index,
    startTime: String((index - 1) * 2),
    endTime: String(index * 2),
    content: `${word} ${index} of ${video.videoName}`,
  }));
}

/** The text of a chat answer, in pieces: which turn of the conversation it is, the question, the videos, and `extra` more. */
export function* answerPieces(
  videos: readonly SimulatedVideo[],
  message: string,
  turn: number,
  extra: number,
): Generator<string> {
  yield `Turn ${turn}: `;
  yield `"${message}" `;
  yield `is about ${videos.map((video) => video.videoName).join(', ')}.`;
  for (let index = 1; index <= extra; index += 1) yield ` More ${index}.`;
}

/**
 * Writes an event stream, one `data:` line per payload, `delayMs` apart, waiting
 * for the reader when the socket is full (so an unread stream stops being
 * written). Stops as soon as the reader goes away.
 */
export async function writeEventStream(
  res: ServerResponse,
  payloads: Iterable<unknown>,
  delayMs: number,
  stats: ChatStreamStats,
): Promise<void> {
  stats.opened += 1;
  stats.open += 1;
  let gone = false;
  res.once('close', () => {
    gone = !res.writableFinished;
  });
  res.writeHead(200, { 'content-type': 'text/event-stream', 'cache-control': 'no-cache' });
  try {
    for (const payload of payloads) {
      if (gone || res.destroyed) break;
      if (!res.write(`data:${JSON.stringify(payload)}\n\n`)) {
        await new Promise<void>((resolve) => {
          res.once('drain', resolve);
          res.once('close', resolve);
        });
      }
      if (delayMs > 0) await new Promise((resolve) => setTimeout(resolve, delayMs));
    }
    if (!gone && !res.destroyed) res.end();
  } finally {
    stats.open -= 1;
    if (gone || res.destroyed) stats.aborted += 1;
    else stats.completed += 1;
  }
}
