/**
 * The gateway's web app: the user signed in with the app's provider (when the
 * gateway takes users' tokens) or a client key for the session, uploads with progress,
 * your videos with live status, search, clips, chat, transcripts and delete; on the successor
 * MAVI family, finding the moments a picture shows, and a live stream's analysis.
 * Plain DOM, no framework: it is the reference for app teams, so every call is
 * one they can copy (see gateway-client.ts).
 */
import { GatewayClient, GatewayError } from './gateway-client.js';
import { startResumableUpload } from './resumable-upload.js';
import { SignIn } from './sign-in.js';

const KEY_STORAGE = 'mavi-gateway.client-key';
const FINAL = new Set(['PARSE', 'FAIL']);

const VIDEO_FIELDS = 'videoNo videoName status uploadTime';
const UPLOAD_PROGRESS = `subscription UploadProgress($uploadId: ID!) {
  resumableUploadProgress(uploadId: $uploadId) { state attempts errorCode errorMessage video { ${VIDEO_FIELDS} } }
}`;
const VIDEOS = `query Videos($after: String) {
  videos(first: 20, after: $after) { nodes { ${VIDEO_FIELDS} } pageInfo { hasNextPage endCursor } }
}`;
const STATUS = 'subscription Status($videoNo: ID!) { videoStatus(videoNo: $videoNo) { videoNo status } }';
const DELETE = 'mutation Delete($videoNos: [ID!]!) { deleteVideos(videoNos: $videoNos) { deleted } }';
const SEARCH_VIDEOS = `query Search($query: String!) {
  searchVideos(query: $query, first: 10) { score video { videoNo videoName } }
}`;
const SEARCH_CLIPS = `query Clips($query: String!, $videoNos: [ID!]) {
  searchClips(query: $query, videoNos: $videoNos, first: 10) { startSeconds endSeconds score video { videoNo videoName } }
}`;
const CHAT = `subscription Chat($videoNos: [ID!]!, $message: String!, $sessionId: ID) {
  chat(videoNos: $videoNos, message: $message, sessionId: $sessionId) {
    __typename
    ... on ChatThinking { title }
    ... on ChatReference { videoNo startSeconds endSeconds }
    ... on ChatText { text }
    ... on ChatDone { sessionId }
  }
}`;
const TRANSCRIPT = `subscription Transcript($videoNo: ID!, $kind: TranscriptKind!) {
  transcriptReady(videoNo: $videoNo, kind: $kind) { state segments { startSeconds endSeconds text } }
}`;

const SEARCH_CLIPS_BY_IMAGE = `query Moments($file: Upload!, $videoNos: [ID!]!, $prompt: String!) {
  searchClipsByImage(file: $file, videoNos: $videoNos, prompt: $prompt) { videoNo startTime endTime score video { videoName } }
}`;
const START_LIVE = `mutation StartLive($streamUrl: String!, $prompt: String!) {
  startLiveAnalysis(streamUrl: $streamUrl, prompt: $prompt) { id state }
}`;
const STOP_LIVE = 'mutation StopLive($id: ID!) { stopLiveAnalysis(id: $id) { state } }';
const LIVE = `subscription Live($id: ID!) {
  liveAnalysis(id: $id) { state text at raw stopReason }
}`;

/** MAVI's status codes, as the people using the app read them (the code stays in the badge's title). */
const STATUS_LABELS: Record<string, string> = { UNPARSE: 'Processing', PARSE: 'Ready', FAIL: 'Failed' };
type TranscriptKind = 'SPEECH' | 'VISUAL';

interface ResumableUploadState {
  state: 'RECEIVING' | 'FORWARDING' | 'REGISTERED' | 'FAILED';
  attempts: number;
  errorCode: string | null;
  errorMessage: string | null;
  video: Video | null;
}

interface Video {
  videoNo: string;
  videoName: string;
  status: string;
  uploadTime: string;
}

interface LiveEvent {
  state: 'RUNNING' | 'STOPPED' | 'FAILED';
  text: string | null;
  at: string;
  raw: unknown;
  stopReason: string | null;
}

type ChatEvent =
  | { __typename: 'ChatThinking'; title: string }
  | { __typename: 'ChatReference'; videoNo: string; startSeconds: number; endSeconds: number | null }
  | { __typename: 'ChatText'; text: string }
  | { __typename: 'ChatDone'; sessionId: string };

/** What to do about a refusal, where the gateway's own message does not already say it. */
const HINTS: Record<string, string> = {
  UNAUTHENTICATED: 'Sign in, or enter a valid client key, at the top.',
  NETWORK_ERROR: 'Is the gateway running?',
  VIDEO_NOT_READY: 'Wait until the video is Ready.',
};

const element = <T extends HTMLElement>(id: string) => document.getElementById(id) as T;
const make = <K extends keyof HTMLElementTagNameMap>(tag: K, text = '', className = '') => {
  const node = document.createElement(tag);
  node.textContent = text;
  if (className) node.className = className;
  return node;
};
const button = (text: string, className = 'small') => {
  const made = make('button', text, className);
  made.type = 'button';
  return made;
};

/** A refusal as a user reads it: the gateway's message, what to do, and the code to look up. */
function describe(error: unknown): string {
  if (!(error instanceof GatewayError)) return `Something went wrong: ${String(error)}`;
  const retry = error.retryAfterSeconds !== undefined ? ` Try again in ${error.retryAfterSeconds} s.` : '';
  const hint = HINTS[error.code] ? ` ${HINTS[error.code]}` : '';
  return `${error.message}${retry}${hint} (${error.code})`;
}

/** Shows an error where the user acted: in the part of the page that asked, after `lead` if given. */
function showErrorIn(place: HTMLElement, error: unknown, lead = ''): void {
  place.textContent = `${lead}${describe(error)}`;
  place.classList.add('error');
  place.hidden = false;
}

/** The page-wide banner, for what belongs to no one part of the page (signing in). */
function showPageError(error: unknown): void {
  showErrorIn(element('error'), error);
}

/** The client key typed for this tab; unused once a user is signed in. */
let key = sessionStorage.getItem(KEY_STORAGE) ?? '';
/** Sign-in with the app's provider, when the gateway takes users' tokens. */
let signIn: SignIn | undefined;
const credential = () => signIn?.accessToken ?? key;
let client = new GatewayClient(credential);
const watching = new Map<string, () => void>();
let nextPage: string | null = null;
let chatSession: string | undefined;

// --- the key -------------------------------------------------------------------------------------

/** Starts over as whoever the credential now names: subscriptions, chat and the list are theirs. */
function restart(): void {
  for (const stop of watching.values()) stop();
  watching.clear();
  client.close();
  client = new GatewayClient(credential);
  chatSession = undefined;
  element('chat-answer').replaceChildren();
  closeTranscript();
  void loadVideos().then(showKeyState);
}

/** What the gateway made of the key, learned from listing the videos with it. */
function showKeyState(refused: unknown): void {
  // Signed in, the account area says who the caller is; a key's state would contradict it.
  if (signIn) return;
  const state = element('key-state');
  state.classList.toggle('error', refused !== undefined);
  if (refused === undefined)
    state.textContent = key ? 'key accepted (kept for this browser tab)' : 'open gateway: no key needed';
  else if (refused instanceof GatewayError && refused.code === 'UNAUTHENTICATED')
    state.textContent = key ? 'key refused' : 'this gateway needs a key';
  else state.textContent = 'could not check the key';
}

function useKey(typed: string): void {
  key = typed;
  if (key) sessionStorage.setItem(KEY_STORAGE, key);
  else sessionStorage.removeItem(KEY_STORAGE);
  element('key-state').textContent = 'checking…';
  restart();
}

/** The header's sign-in area: who is signed in, or the button to sign in. */
function showSignedIn(): void {
  const user = signIn?.user;
  element('user-state').textContent = user ? `signed in as ${user}` : 'not signed in';
  element('sign-in').hidden = user !== undefined;
  element('sign-out').hidden = user === undefined;
}

element('sign-in').addEventListener('click', () => void signIn?.start().catch(showPageError));
element('sign-out').addEventListener('click', () => {
  signIn?.signOut();
  restart();
});

element<HTMLFormElement>('key-form').addEventListener('submit', (event) => {
  event.preventDefault();
  useKey(element<HTMLInputElement>('key').value.trim());
});
element('forget-key').addEventListener('click', () => {
  element<HTMLInputElement>('key').value = '';
  useKey('');
});

// --- uploads -------------------------------------------------------------------------------------

function uploadAll(files: Iterable<File>): void {
  for (const file of files) element('uploads').prepend(uploadRow(file));
}

/**
 * One file's upload, as a row: progress, Pause/Resume and Cancel while it is sent, then
 * MAVI's answer. A failed or cancelled upload offers to start again: the same file picked
 * again continues where the gateway stopped taking it, when it still has the bytes.
 */
function uploadRow(file: File): HTMLLIElement {
  const row = make('li');
  row.dataset.file = file.name;
  const bar = make('progress');
  bar.max = 1;
  bar.value = 0;
  const message = make('span', 'sending…', 'message muted');
  const pause = button('Pause');
  const cancel = button('Cancel');
  const again = button('Try again');
  again.hidden = true;
  const controls = make('span', '', 'controls');
  controls.append(pause, cancel, again);
  row.append(make('span', file.name, 'file-name'), bar, controls, message);

  const end = (text: string, className: string) => {
    bar.remove(); // a refused body may have been sent whole: a full bar would read as success
    pause.remove();
    cancel.remove();
    again.hidden = false;
    message.className = `message ${className}`;
    message.textContent = text;
  };
  const fail = (error: unknown) => {
    row.classList.add('failed');
    end(describe(error), 'error');
  };
  /** The video is MAVI's now: its bar goes, and the row may be cleared from the list. */
  const finished = () => {
    bar.remove();
    row.classList.add('finished');
    element('clear-uploads').hidden = false;
  };
  let paused = false;
  const upload = startResumableUpload(file, () => client.headers(), {
    onProgress: (share) => {
      bar.value = share;
      if (!paused) message.textContent = share < 1 ? `sending… ${Math.round(share * 100)} %` : 'sent';
    },
    onResumed: () => {
      message.textContent = 'resuming where it stopped…';
    },
    onStaged: (uploadId) => {
      bar.value = 1;
      pause.remove();
      cancel.remove();
      message.textContent = 'sent; the gateway is handing it to MAVI';
      followUpload(uploadId, { message, fail, finished });
    },
    onError: fail,
  });
  pause.addEventListener('click', () => {
    paused = !paused;
    if (paused) upload.pause();
    else upload.resume();
    pause.textContent = paused ? 'Resume' : 'Pause';
    message.textContent = paused ? `paused at ${Math.round(bar.value * 100)} %` : 'resuming…';
  });
  cancel.addEventListener('click', () => {
    cancel.disabled = true;
    void upload.cancel().then(
      () => end('cancelled: the gateway removed what it had received', 'muted'),
      (error: unknown) => fail(error),
    );
  });
  again.addEventListener('click', () => row.replaceWith(uploadRow(file)));
  return row;
}

/** Follows a staged upload until MAVI has registered it (or refused it): then it is a video like any other. */
function followUpload(
  uploadId: string,
  row: { message: HTMLElement; fail: (error: unknown) => void; finished: () => void },
): void {
  client.subscribe<{ resumableUploadProgress: ResumableUploadState }>(
    UPLOAD_PROGRESS,
    { uploadId },
    {
      next: ({ resumableUploadProgress: upload }) => {
        if (upload.state === 'FORWARDING') {
          row.message.textContent = upload.errorCode
            ? `MAVI said ${upload.errorCode}; the gateway retries (attempt ${upload.attempts})`
            : 'sent; the gateway is handing it to MAVI';
        } else if (upload.state === 'REGISTERED' && upload.video) {
          row.finished();
          row.message.className = 'message muted';
          row.message.textContent = `uploaded as ${upload.video.videoNo}`;
          addVideo(upload.video, true);
        } else if (upload.state === 'FAILED') {
          row.fail(new GatewayError(upload.errorMessage ?? 'The upload failed.', upload.errorCode ?? 'FAILED'));
        }
      },
      error: row.fail,
    },
  );
}

element('clear-uploads').addEventListener('click', () => {
  for (const finished of element('uploads').querySelectorAll('li.finished')) finished.remove();
  element('clear-uploads').hidden = true;
});

const picker = element<HTMLInputElement>('files');
picker.addEventListener('change', () => {
  uploadAll(picker.files ?? []);
  picker.value = '';
});
const drop = element('drop');
drop.addEventListener('dragover', (event) => {
  event.preventDefault();
  drop.classList.add('over');
});
drop.addEventListener('dragleave', () => drop.classList.remove('over'));
drop.addEventListener('drop', (event) => {
  event.preventDefault();
  drop.classList.remove('over');
  uploadAll(event.dataTransfer?.files ?? []);
});

// --- your videos ---------------------------------------------------------------------------------

function rowOf(videoNo: string): HTMLTableRowElement | null {
  return document.querySelector(`tr[data-video-no="${CSS.escape(videoNo)}"]`);
}

function statusBadge(status: string): HTMLSpanElement {
  const badge = make('span', '', 'status');
  setBadge(badge, status);
  return badge;
}

function setBadge(badge: HTMLElement, status: string): void {
  badge.textContent = STATUS_LABELS[status] ?? status;
  badge.title = `MAVI status ${status}`;
  badge.dataset.status = status;
  badge.className = `status ${status}`;
}

function setStatus(videoNo: string, status: string): void {
  const badge = rowOf(videoNo)?.querySelector<HTMLSpanElement>('.status');
  if (badge) setBadge(badge, status);
}

/** A note under a video's name: what went wrong with it. */
function rowNote(videoNo: string): HTMLElement | undefined {
  return rowOf(videoNo)?.querySelector<HTMLElement>('.row-note') ?? undefined;
}

/** Live status over graphql-ws until the video is processed (the subscription completes itself). */
function watch(videoNo: string): void {
  if (watching.has(videoNo)) return;
  const stop = client.subscribe<{ videoStatus: { status: string } }>(
    STATUS,
    { videoNo },
    {
      next: ({ videoStatus }) => setStatus(videoNo, videoStatus.status),
      error: (error) => {
        watching.delete(videoNo);
        const note = rowNote(videoNo);
        if (error.code !== 'VIDEO_DELETED' && note) showErrorIn(note, error);
      },
      complete: () => watching.delete(videoNo),
    },
  );
  watching.set(videoNo, stop);
}

function addVideo(video: Video, first = false): void {
  if (rowOf(video.videoNo)) return setStatus(video.videoNo, video.status);
  const row = make('tr');
  row.dataset.videoNo = video.videoNo;
  const tick = make('input');
  tick.type = 'checkbox';
  tick.className = 'pick';
  tick.setAttribute('aria-label', `choose ${video.videoName}`);
  const name = make('div');
  const note = make('div', '', 'row-note');
  note.hidden = true;
  name.append(make('span', video.videoName, 'video-name'), make('code', video.videoNo, 'video-no'), note);
  const actions = make('td', '', 'actions');
  const uploaded = make('td', new Date(video.uploadTime).toLocaleString(), 'uploaded');
  row.append(make('td'), make('td'), make('td'), uploaded, actions);
  row.cells[0]!.append(tick);
  row.cells[1]!.append(name);
  row.cells[2]!.append(statusBadge(video.status));
  showActions(video, actions);
  const body = element('videos');
  if (first) body.prepend(row);
  else body.append(row);
  showListState();
  if (!FINAL.has(video.status)) watch(video.videoNo);
}

/** A video's buttons: its transcripts, and delete, which asks first (it cannot be undone). */
function showActions(video: Video, cell: HTMLElement): void {
  const speech = button('Speech');
  speech.title = 'What is said: the speech transcript';
  speech.addEventListener('click', () => showTranscript(video, 'SPEECH'));
  const visual = button('Scenes');
  visual.title = 'What is seen: the visual transcript';
  visual.addEventListener('click', () => showTranscript(video, 'VISUAL'));
  const remove = button('Delete', 'small danger');
  remove.addEventListener('click', () => confirmDelete(video, cell));
  cell.replaceChildren(speech, visual, remove);
}

function confirmDelete(video: Video, cell: HTMLElement): void {
  const yes = button('Delete for good', 'small danger');
  const no = button('Keep');
  yes.addEventListener('click', () => void deleteVideo(video, cell));
  no.addEventListener('click', () => showActions(video, cell));
  cell.replaceChildren(make('span', `Delete ${video.videoName}?`, 'confirm'), yes, no);
  no.focus();
}

/** The line under the table: loading, empty, or why the list could not be had. */
function showListState(text?: string, error?: unknown): void {
  const state = element('videos-state');
  state.classList.remove('error');
  if (error !== undefined) return showErrorIn(state, error, 'Could not load your videos: ');
  state.textContent = text ?? 'No videos yet: upload one above.';
  state.hidden = text === undefined && element('videos').childElementCount > 0;
}

/** Loads the first page (or the next); answers the refusal, if the gateway refused. */
async function loadVideos(more = false): Promise<unknown> {
  if (!more) {
    element('videos').replaceChildren();
    nextPage = null;
  }
  showListState('Loading…');
  try {
    const { videos } = await client.request<{
      videos: { nodes: Video[]; pageInfo: { hasNextPage: boolean; endCursor: string | null } };
    }>(VIDEOS, { after: more ? nextPage : null });
    for (const video of videos.nodes) addVideo(video);
    nextPage = videos.pageInfo.hasNextPage ? videos.pageInfo.endCursor : null;
    element('more').hidden = nextPage === null;
    showListState();
    return undefined;
  } catch (error) {
    element('more').hidden = true;
    showListState(undefined, error);
    return error;
  }
}

async function deleteVideo(video: Video, cell: HTMLElement): Promise<void> {
  cell.replaceChildren(make('span', 'deleting…', 'muted'));
  try {
    await client.request(DELETE, { videoNos: [video.videoNo] });
    watching.get(video.videoNo)?.();
    watching.delete(video.videoNo);
    rowOf(video.videoNo)?.remove();
    if (shownTranscript === video.videoNo) closeTranscript();
    showListState();
  } catch (error) {
    showActions(video, cell);
    const note = rowNote(video.videoNo);
    if (note) showErrorIn(note, error);
  }
}

element('refresh').addEventListener('click', () => void loadVideos());
element('more').addEventListener('click', () => void loadVideos(true));

// --- search, clips, chat, transcripts ------------------------------------------------------------

const picked = () =>
  [...document.querySelectorAll<HTMLInputElement>('#videos input.pick:checked')].map(
    (tick) => tick.closest('tr')!.dataset.videoNo!,
  );

element<HTMLFormElement>('search-form').addEventListener('submit', (event) => {
  event.preventDefault();
  const mode = (event.submitter as HTMLButtonElement | null)?.value ?? 'videos';
  void search(element<HTMLInputElement>('search-query').value, mode === 'clips');
});

async function search(query: string, clips: boolean): Promise<void> {
  await showFound(element('search-results'), element('search-state'), 'searching…', async () => {
    if (clips) {
      const videoNos = picked();
      const { searchClips } = await client.request<{
        searchClips: { startSeconds: number; endSeconds: number; score: number | null; video: Video }[];
      }>(SEARCH_CLIPS, { query, videoNos: videoNos.length > 0 ? videoNos : null });
      return searchClips.map((clip) => clipLine(clip.video.videoName, clip.startSeconds, clip.endSeconds, clip.score));
    }
    const { searchVideos } = await client.request<{ searchVideos: { score: number | null; video: Video }[] }>(
      SEARCH_VIDEOS,
      { query },
    );
    return searchVideos.map(
      ({ video, score }) =>
        `${video.videoName} (${video.videoNo})${score === null ? '' : `, score ${score.toFixed(2)}`}`,
    );
  });
}

/** Shows a search under way in `state`, then its lines in `results` ("Nothing found." when none), or its refusal. */
async function showFound(
  results: HTMLElement,
  state: HTMLElement,
  busy: string,
  find: () => Promise<string[]>,
): Promise<void> {
  results.replaceChildren();
  state.className = 'muted';
  state.textContent = busy;
  state.hidden = false;
  try {
    results.replaceChildren(...(await find()).map((line) => make('li', line)));
    // What the search came to is a status, not a result.
    state.textContent = 'Nothing found.';
    state.hidden = results.childElementCount > 0;
  } catch (error) {
    showErrorIn(state, error);
  }
}

/** A moment found in a video, as a line. */
const clipLine = (name: string, start: number, end: number, score: number | null) =>
  `${name}: ${start}–${end} s${score === null ? '' : ` (score ${score.toFixed(2)})`}`;

element<HTMLFormElement>('chat-form').addEventListener('submit', (event) => {
  event.preventDefault();
  const input = element<HTMLInputElement>('chat-message');
  // A question not asked (nothing ticked) stays, so that ticking a video and pressing Ask sends it.
  if (ask(input.value)) input.value = '';
});
element('chat-new').addEventListener('click', () => {
  chatSession = undefined;
  element('chat-answer').replaceChildren();
});

/** Asks about the ticked videos; false when nothing is ticked (and the page says so). */
function ask(message: string): boolean {
  const videoNos = picked();
  const answer = element('chat-answer');
  answer.querySelector('.hint')?.remove();
  if (videoNos.length === 0) {
    answer.append(make('p', 'Tick the videos to ask about first.', 'hint error'));
    return false;
  }
  answer.append(make('p', `You: ${message}`, 'muted'));
  const reply = answer.appendChild(make('p'));
  client.subscribe<{ chat: ChatEvent }>(
    CHAT,
    { videoNos, message, sessionId: chatSession ?? null },
    {
      next: ({ chat }) => {
        if (chat.__typename === 'ChatText') reply.textContent += chat.text;
        else if (chat.__typename === 'ChatDone') chatSession = chat.sessionId;
        else if (chat.__typename === 'ChatReference') {
          reply.append(make('span', ` [${chat.videoNo} ${chat.startSeconds}–${chat.endSeconds ?? '?'} s] `, 'muted'));
        }
      },
      error: (error) => showErrorIn(reply, error),
    },
  );
  return true;
}

element<HTMLFormElement>('moment-form').addEventListener('submit', (event) => {
  event.preventDefault();
  const picture = element<HTMLInputElement>('moment-picture').files?.[0];
  if (picture) void findMoments(picture, element<HTMLInputElement>('moment-question').value);
});

/** The moments in the ticked videos that the picture shows, as the question asks. */
async function findMoments(picture: File, prompt: string): Promise<void> {
  const results = element('moment-results');
  const state = element('moment-state');
  const videoNos = picked();
  if (videoNos.length === 0) {
    results.replaceChildren();
    state.hidden = false;
    state.className = 'error';
    state.textContent = 'Tick the videos to look in first.';
    return;
  }
  await showFound(results, state, 'looking…', async () => {
    const { searchClipsByImage } = await client.requestWithFile<{
      searchClipsByImage: {
        videoNo: string;
        startTime: number;
        endTime: number;
        score: number | null;
        video: Video | null;
      }[];
    }>(SEARCH_CLIPS_BY_IMAGE, { videoNos, prompt }, picture);
    return searchClipsByImage.map((clip) =>
      clipLine(clip.video?.videoName ?? clip.videoNo, clip.startTime, clip.endTime, clip.score),
    );
  });
}

/** The live analysis on screen: its id, and how to stop following it. */
let live: { id: string; unsubscribe: () => void } | undefined;

element<HTMLFormElement>('live-form').addEventListener('submit', (event) => {
  event.preventDefault();
  void watchLive(element<HTMLInputElement>('live-url').value, element<HTMLInputElement>('live-prompt').value);
});
element('live-stop').addEventListener('click', () => {
  if (!live) return;
  const { id } = live;
  client.request(STOP_LIVE, { id }).catch((error: unknown) => showErrorIn(element('live-state'), error));
});

/** Starts a live analysis and shows its results as they come, until it ends. */
async function watchLive(streamUrl: string, prompt: string): Promise<void> {
  const state = element('live-state');
  const results = element('live-results');
  state.hidden = false;
  state.className = 'muted';
  state.textContent = 'starting…';
  let id: string;
  try {
    ({
      startLiveAnalysis: { id },
    } = await client.request<{ startLiveAnalysis: { id: string } }>(START_LIVE, { streamUrl, prompt }));
  } catch (error) {
    showErrorIn(state, error);
    return;
  }
  live?.unsubscribe();
  results.replaceChildren();
  state.textContent = 'watching: results come about every 5 s';
  element<HTMLButtonElement>('live-start').disabled = true;
  element('live-stop').hidden = false;
  const ended = (text: string, error?: unknown) => {
    element<HTMLButtonElement>('live-start').disabled = false;
    element('live-stop').hidden = true;
    live = undefined;
    if (error) showErrorIn(state, error);
    else state.textContent = text;
  };
  const unsubscribe = client.subscribe<{ liveAnalysis: LiveEvent }>(
    LIVE,
    { id },
    {
      next: ({ liveAnalysis: event }) => {
        if (event.state !== 'RUNNING')
          return ended(`${event.state === 'FAILED' ? 'Ended' : 'Stopped'} (${event.stopReason ?? event.state}).`);
        // MAVI documents no shape for results: its text when it has one, else the result itself.
        const at = new Date(event.at).toLocaleTimeString();
        results.prepend(make('li', `${at} ${event.text ?? JSON.stringify(event.raw)}`));
      },
      error: (error) => ended('', error),
      complete: () => {
        if (live?.id === id) ended('Ended.');
      },
    },
  );
  live = { id, unsubscribe };
}

/** The video whose transcript is on screen, and how to stop waiting for it. */
let shownTranscript: string | undefined;
let stopTranscript: (() => void) | undefined;

function closeTranscript(): void {
  stopTranscript?.();
  stopTranscript = undefined;
  shownTranscript = undefined;
  element('transcript-panel').hidden = true;
  element('transcript').replaceChildren();
}

function showTranscript(video: Video, kind: TranscriptKind): void {
  closeTranscript();
  const what = kind === 'SPEECH' ? 'What is said in' : 'What is seen in';
  const title = element('transcript-title');
  const state = element('transcript-state');
  const list = element('transcript');
  const panel = element('transcript-panel');
  panel.hidden = false;
  // On a phone the panel opens below the fold: bring it into view, or the button seems to do nothing.
  panel.scrollIntoView({ block: 'start' });
  title.textContent = `${what} ${video.videoName}`;
  state.className = 'muted';
  state.textContent = 'waiting for MAVI…';
  shownTranscript = video.videoNo;
  stopTranscript = client.subscribe<{
    transcriptReady: { state: string; segments: { startSeconds: number; endSeconds: number; text: string }[] };
  }>(
    TRANSCRIPT,
    { videoNo: video.videoNo, kind },
    {
      next: ({ transcriptReady }) => {
        state.dataset.state = transcriptReady.state;
        state.textContent =
          transcriptReady.state === 'READY'
            ? `${transcriptReady.segments.length} segments`
            : 'MAVI has no transcript of this kind for this video.';
        list.replaceChildren(
          ...transcriptReady.segments.map((segment) => {
            const item = make('li');
            item.append(make('span', `${segment.startSeconds}–${segment.endSeconds} s`, 'time'), ` ${segment.text}`);
            return item;
          }),
        );
      },
      error: (error) => showErrorIn(state, error),
    },
  );
}
element('transcript-close').addEventListener('click', closeTranscript);

// --- start ---------------------------------------------------------------------------------------

element<HTMLInputElement>('key').value = key;
void (async () => {
  try {
    signIn = await SignIn.configured(showSignedIn);
  } catch (error) {
    showPageError(new GatewayError(`Signing in failed: ${String(error)}`, 'SIGN_IN_FAILED'));
  }
  if (signIn) {
    // The gateway takes users' tokens: sign in instead of typing a key.
    element('key-form').hidden = true;
    element('account').hidden = false;
    showSignedIn();
    if (!signIn.accessToken) return showListState('Sign in to see your videos.');
  }
  showKeyState(await loadVideos());
})();
