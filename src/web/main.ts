/**
 * The gateway's web app: the user signed in with the app's provider (when the
 * gateway takes users' tokens) or a client key for the session, uploads with progress,
 * your videos with live status, search, clips, chat, transcripts and delete.
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
const TRANSCRIPT = `subscription Transcript($videoNo: ID!) {
  transcriptReady(videoNo: $videoNo, kind: SPEECH) { state segments { startSeconds endSeconds text } }
}`;

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

type ChatEvent =
  | { __typename: 'ChatThinking'; title: string }
  | { __typename: 'ChatReference'; videoNo: string; startSeconds: number; endSeconds: number | null }
  | { __typename: 'ChatText'; text: string }
  | { __typename: 'ChatDone'; sessionId: string };

/** What to do about a refusal, where the gateway's own message does not already say it. */
const HINTS: Record<string, string> = {
  UNAUTHENTICATED: 'Sign in, or enter a valid client key, at the top.',
  NETWORK_ERROR: 'Is the gateway running?',
  VIDEO_NOT_READY: 'Wait until the video shows PARSE.',
};

const element = <T extends HTMLElement>(id: string) => document.getElementById(id) as T;
const make = <K extends keyof HTMLElementTagNameMap>(tag: K, text = '', className = '') => {
  const node = document.createElement(tag);
  node.textContent = text;
  if (className) node.className = className;
  return node;
};

/** A refusal as a user reads it: the gateway's message, what to do, and the code to look up. */
function describe(error: unknown): string {
  if (!(error instanceof GatewayError)) return `Something went wrong: ${String(error)}`;
  const retry = error.retryAfterSeconds !== undefined ? ` Try again in ${error.retryAfterSeconds} s.` : '';
  const hint = HINTS[error.code] ? ` ${HINTS[error.code]}` : '';
  return `${error.message}${retry}${hint} (${error.code})`;
}

function showError(error: unknown): void {
  const banner = element<HTMLParagraphElement>('error');
  banner.textContent = describe(error);
  banner.hidden = false;
}

function clearError(): void {
  element('error').hidden = true;
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
  void loadVideos();
}

function useKey(typed: string): void {
  key = typed;
  if (key) sessionStorage.setItem(KEY_STORAGE, key);
  else sessionStorage.removeItem(KEY_STORAGE);
  element('key-state').textContent = key ? 'key set for this browser tab' : 'no key';
  restart();
}

/** The header's sign-in area: who is signed in, or the button to sign in. */
function showSignedIn(): void {
  const user = signIn?.user;
  element('user-state').textContent = user ? `signed in as ${user}` : 'not signed in';
  element('sign-in').hidden = user !== undefined;
  element('sign-out').hidden = user === undefined;
}

element('sign-in').addEventListener('click', () => void signIn?.start().catch(showError));
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
  for (const file of files) uploadOne(file);
}

function uploadOne(file: File): void {
  const row = make('li');
  row.dataset.file = file.name;
  const bar = make('progress');
  bar.max = 1;
  bar.value = 0;
  const message = make('span', 'sending…', 'message muted');
  const pause = make('button', 'Pause', 'small');
  pause.type = 'button';
  row.append(make('span', file.name), bar, message, pause);
  element('uploads').prepend(row);
  const fail = (error: unknown) => {
    row.classList.add('failed');
    bar.remove(); // a refused body may have been sent whole: a full bar would read as success
    pause.remove();
    message.className = 'message error';
    message.textContent = describe(error);
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
      message.textContent = 'sent; the gateway is handing it to MAVI';
      followUpload(uploadId, { message, fail });
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
}

/** Follows a staged upload until MAVI has registered it (or refused it): then it is a video like any other. */
function followUpload(uploadId: string, row: { message: HTMLElement; fail: (error: unknown) => void }): void {
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

function setStatus(videoNo: string, status: string): void {
  const badge = rowOf(videoNo)?.querySelector<HTMLSpanElement>('.status');
  if (!badge) return;
  badge.textContent = status;
  badge.className = `status ${status}`;
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
        if (error.code !== 'VIDEO_DELETED') showError(error);
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
  const transcript = make('button', 'Transcript', 'small');
  transcript.addEventListener('click', () => void showTranscript(video));
  const remove = make('button', 'Delete', 'small');
  remove.addEventListener('click', () => void deleteVideo(video.videoNo));
  const cells = [
    tick,
    make('span', video.videoName),
    make('code', video.videoNo),
    make('span', video.status, `status ${video.status}`),
    make('span', new Date(video.uploadTime).toLocaleString()),
  ];
  for (const content of cells) row.appendChild(make('td')).append(content);
  const actions = make('td');
  actions.append(transcript, ' ', remove);
  row.append(actions);
  const body = element('videos');
  if (first) body.prepend(row);
  else body.append(row);
  element('videos-empty').hidden = true;
  if (!FINAL.has(video.status)) watch(video.videoNo);
}

async function loadVideos(more = false): Promise<void> {
  clearError();
  if (!more) {
    element('videos').replaceChildren();
    element('videos-empty').hidden = false;
    nextPage = null;
  }
  try {
    const { videos } = await client.request<{
      videos: { nodes: Video[]; pageInfo: { hasNextPage: boolean; endCursor: string | null } };
    }>(VIDEOS, { after: more ? nextPage : null });
    for (const video of videos.nodes) addVideo(video);
    nextPage = videos.pageInfo.hasNextPage ? videos.pageInfo.endCursor : null;
    element('more').hidden = nextPage === null;
  } catch (error) {
    showError(error);
  }
}

async function deleteVideo(videoNo: string): Promise<void> {
  clearError();
  try {
    await client.request(DELETE, { videoNos: [videoNo] });
    watching.get(videoNo)?.();
    watching.delete(videoNo);
    rowOf(videoNo)?.remove();
    element('videos-empty').hidden = element('videos').childElementCount > 0;
  } catch (error) {
    showError(error);
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
  clearError();
  const results = element('search-results');
  results.replaceChildren(make('li', 'searching…', 'muted'));
  try {
    if (clips) {
      const videoNos = picked();
      const { searchClips } = await client.request<{
        searchClips: { startSeconds: number; endSeconds: number; score: number | null; video: Video }[];
      }>(SEARCH_CLIPS, { query, videoNos: videoNos.length > 0 ? videoNos : null });
      results.replaceChildren(
        ...searchClips.map((clip) =>
          make(
            'li',
            `${clip.video.videoName}: ${clip.startSeconds}–${clip.endSeconds} s${clip.score === null ? '' : ` (score ${clip.score.toFixed(2)})`}`,
          ),
        ),
      );
    } else {
      const { searchVideos } = await client.request<{ searchVideos: { score: number | null; video: Video }[] }>(
        SEARCH_VIDEOS,
        { query },
      );
      results.replaceChildren(
        ...searchVideos.map(({ video, score }) =>
          make('li', `${video.videoName} (${video.videoNo})${score === null ? '' : `, score ${score.toFixed(2)}`}`),
        ),
      );
    }
    if (results.childElementCount === 0) results.append(make('li', 'Nothing found.', 'muted'));
  } catch (error) {
    results.replaceChildren();
    showError(error);
  }
}

element<HTMLFormElement>('chat-form').addEventListener('submit', (event) => {
  event.preventDefault();
  const input = element<HTMLInputElement>('chat-message');
  ask(input.value);
  input.value = '';
});
element('chat-new').addEventListener('click', () => {
  chatSession = undefined;
  element('chat-answer').replaceChildren();
});

function ask(message: string): void {
  clearError();
  const videoNos = picked();
  const answer = element('chat-answer');
  if (videoNos.length === 0) {
    answer.textContent = 'Tick the videos to ask about first.';
    return;
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
      error: (error) => showError(error),
    },
  );
}

async function showTranscript(video: Video): Promise<void> {
  clearError();
  const title = element('transcript-title');
  const list = element('transcript');
  title.hidden = false;
  title.textContent = `Transcript of ${video.videoName}: waiting…`;
  list.replaceChildren();
  client.subscribe<{
    transcriptReady: { state: string; segments: { startSeconds: number; endSeconds: number; text: string }[] };
  }>(
    TRANSCRIPT,
    { videoNo: video.videoNo },
    {
      next: ({ transcriptReady }) => {
        title.textContent = `Transcript of ${video.videoName} (${transcriptReady.state})`;
        list.replaceChildren(
          ...transcriptReady.segments.map((segment) =>
            make('li', `${segment.startSeconds}–${segment.endSeconds} s: ${segment.text}`),
          ),
        );
      },
      error: (error) => {
        title.hidden = true;
        showError(error);
      },
    },
  );
}

// --- start ---------------------------------------------------------------------------------------

element<HTMLInputElement>('key').value = key;
element('key-state').textContent = key ? 'key set for this browser tab' : 'no key';
void (async () => {
  try {
    signIn = await SignIn.configured(showSignedIn);
  } catch (error) {
    showError(new GatewayError(`Signing in failed: ${String(error)}`, 'SIGN_IN_FAILED'));
  }
  if (signIn) {
    // The gateway takes users' tokens: sign in instead of typing a key.
    element('key-form').hidden = true;
    element('account').hidden = false;
    showSignedIn();
    if (!signIn.accessToken) return; // nothing to list before someone signs in
  }
  void loadVideos();
})();
