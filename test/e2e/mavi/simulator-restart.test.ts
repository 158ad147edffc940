/**
 * The built-in simulator keeps its videos in a state file (npm start puts it in
 * DATA_DIR, beside the gateway's records), so a restart forgets on neither side:
 * search, details, transcripts and chat still know the videos of the first run.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import {
  ChatDocument,
  SearchVideosDocument,
  TranscriptDocument,
  TranscriptReadyDocument,
  VideosWithDetailsDocument,
} from '../../generated/operations.js';
import { freePort } from '../../utils/free-port.js';
import { postGraphQL, subscribeSse } from '../../utils/graphql-clients.js';
import { startStack, TEST_MAVI_KEY, type Stack } from '../../utils/stack.js';
import { TestSimulator } from '../../utils/test-simulator.js';
import { asAlice, TWO_CLIENT_KEYS, uploadSmallVideo } from '../../utils/two-clients.js';
import { waitUntil } from '../../utils/wait.js';

const folder = mkdtempSync(join(tmpdir(), 'simulator-state-'));
let stack: Stack | undefined;
let simulator: TestSimulator | undefined;
afterAll(async () => {
  await stack?.stop();
  await simulator?.stop();
  rmSync(folder, { recursive: true, force: true });
});

describe('a simulator restarted on its state file', () => {
  it('still knows the first run’s videos: search, details, transcripts and chat', async () => {
    const port = await freePort();
    const options = { apiKey: TEST_MAVI_KEY, port, stateFile: join(folder, 'simulator.json') };
    simulator = new TestSimulator(options);
    await simulator.start();
    stack = await startStack({ sharedSimulator: simulator, env: { ...TWO_CLIENT_KEYS } });
    const videoNo = await uploadSmallVideo(stack.graphqlUrl, asAlice);
    await waitUntil(async () => (await stack!.gateway.parts.status.get(videoNo))?.status === 'PARSE', 'PARSE');
    // A transcript asked for before the restart: its task (original family) finishes after it.
    await postGraphQL(stack.graphqlUrl, TranscriptDocument, { videoNo, kind: 'SPEECH' }, asAlice);

    await simulator.stop();
    simulator = new TestSimulator(options);
    await simulator.start();

    const found = await postGraphQL(stack.graphqlUrl, SearchVideosDocument, { query: 'clip', first: 10 }, asAlice);
    expect(JSON.stringify(found.body.data)).toContain(videoNo);
    const details = await postGraphQL(stack.graphqlUrl, VideosWithDetailsDocument, { first: 10 }, asAlice);
    expect(details.body.data!.videos!.nodes[0]!.details).not.toBeNull();

    const ready = subscribeSse(stack.graphqlUrl, TranscriptReadyDocument, { videoNo, kind: 'SPEECH' }, asAlice);
    await ready.collected.ended();
    expect(JSON.stringify(ready.collected.events)).toContain('READY');

    const chat = subscribeSse(
      stack.graphqlUrl,
      ChatDocument,
      { videoNos: [videoNo], message: 'Hi', sessionId: null },
      asAlice,
    );
    await chat.collected.ended();
    expect(JSON.stringify(chat.collected.events)).not.toMatch(/"errors"/);
  });
});
