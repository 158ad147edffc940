import type { TypedDocumentNode as DocumentNode } from '@graphql-typed-document-node/core';
export type Maybe<T> = T | null;
export type InputMaybe<T> = Maybe<T>;
export type Exact<T extends { [key: string]: unknown }> = { [K in keyof T]: T[K] };
export type MakeOptional<T, K extends keyof T> = Omit<T, K> & { [SubKey in K]?: Maybe<T[SubKey]> };
export type MakeMaybe<T, K extends keyof T> = Omit<T, K> & { [SubKey in K]: Maybe<T[SubKey]> };
export type MakeEmpty<T extends { [key: string]: unknown }, K extends keyof T> = { [_ in K]?: never };
export type Incremental<T> = T | { [P in keyof T]?: P extends ' $fragmentName' | '__typename' ? T[P] : never };
/** All built-in and custom scalars, mapped to their actual values */
export type Scalars = {
  ID: { input: string; output: string; }
  String: { input: string; output: string; }
  Boolean: { input: boolean; output: boolean; }
  Int: { input: number; output: number; }
  Float: { input: number; output: number; }
  /** An instant, as an ISO-8601 string in UTC (for example 2026-01-31T12:00:00.000Z). */
  DateTime: { input: string; output: string; }
  /** Any JSON value, as it was received (output only here: what MAVI sent, kept whole). */
  JSON: { input: any; output: any; }
  /** A file sent per the GraphQL multipart request spec (https://github.com/jaydenseric/graphql-multipart-request-spec). Input only. */
  Upload: { input: File; output: File; }
};

/** The answer is complete. Pass sessionId to the next chat to continue this conversation. */
export type ChatDone = {
  __typename?: 'ChatDone';
  /** This conversation, kept by the gateway for 24 hours and usable only with your key. */
  sessionId: Scalars['ID']['output'];
};

/** One event of a chat answer: thinking and references while MAVI works, text pieces, then done. */
export type ChatEvent = ChatDone | ChatReference | ChatText | ChatThinking;

/** A moment in one of the videos that the answer draws on (the successor family sends them). */
export type ChatReference = {
  __typename?: 'ChatReference';
  /** What MAVI saw or heard there. */
  caption: Maybe<Scalars['String']['output']>;
  /** Where it ends, when MAVI says. */
  endSeconds: Maybe<Scalars['Float']['output']>;
  /** Where the moment starts, in seconds. */
  startSeconds: Scalars['Float']['output'];
  /** The video the moment is in. */
  videoNo: Scalars['ID']['output'];
};

/** The next piece of the answer: concatenate them in order. */
export type ChatText = {
  __typename?: 'ChatText';
  /** The piece of text. */
  text: Scalars['String']['output'];
};

/** A step of MAVI's reasoning, shown while it works (the successor family sends them). */
export type ChatThinking = {
  __typename?: 'ChatThinking';
  /** The step in more words. */
  content: Scalars['String']['output'];
  /** What MAVI is doing, in a few words. */
  title: Scalars['String']['output'];
};

/** A moment in a video that matches a search. */
export type Clip = {
  __typename?: 'Clip';
  /** Where it ends, in seconds. */
  endSeconds: Scalars['Float']['output'];
  /** How well it matches, 0 to 1; null on the original MAVI family, which gives no scores. */
  score: Maybe<Scalars['Float']['output']>;
  /** Where the moment starts, in seconds from the start of the video. */
  startSeconds: Scalars['Float']['output'];
  /** The video the clip is in. */
  video: Video;
};

/** What deleteImages did. */
export type DeleteImagesResult = {
  __typename?: 'DeleteImagesResult';
  /** The pictures removed from your library by this call. Unknown ones, and ones already deleted, are not listed. */
  deleted: Array<Scalars['ID']['output']>;
};

/** What deleteVideos did. */
export type DeleteVideosResult = {
  __typename?: 'DeleteVideosResult';
  /** The videos deleted by this call (at MAVI and here). Unknown videos, and videos already deleted, are not listed. */
  deleted: Array<Scalars['ID']['output']>;
};

/** The erasure of one owner's videos (account deletion). */
export type Erasure = {
  __typename?: 'Erasure';
  /** The owner's chat sessions forgotten (once the job ends). */
  chatSessionsDeleted: Scalars['Int']['output'];
  /** The videos deleted so far. */
  deletedVideoNos: Array<Scalars['ID']['output']>;
  /** Ask for it again with `erasure(id:)`. */
  id: Scalars['ID']['output'];
  /** Whose videos. */
  owner: Maybe<Owner>;
  /** Videos MAVI refused to delete so far (tried again while RUNNING). */
  refusedVideoNos: Array<Scalars['ID']['output']>;
  /** The owner's resumable uploads removed before they reached MAVI (bytes and records). */
  stagedUploadsDeleted: Scalars['Int']['output'];
  /** Where it is. */
  state: ErasureState;
  /** Videos deleted so far. */
  videosDeleted: Scalars['Int']['output'];
};

/** Where an erasure is. */
export type ErasureState =
  /** Every video of the owner is deleted, at MAVI and here. */
  | 'DONE'
  /** MAVI kept refusing to delete some videos (`refusedVideoNos`); the others are deleted. */
  | 'FAILED'
  /** Deleting: it goes on across restarts. */
  | 'RUNNING';

/** Why a request, or a part of it, was refused: the `extensions.code` of a GraphQL error, the `code` of a plain route's answer, and `ResumableUpload.errorCode`. `extensions.retryable` says whether the same request may succeed later; `extensions.retryAfterSeconds`, when to try. */
export type ErrorCode =
  /** The callback body is not a MAVI callback. Not retryable: the same request fails the same way. */
  | 'CALLBACK_INVALID'
  /** Too many failed callback requests from this address: wait for the time in Retry-After. Retryable. */
  | 'CALLBACK_SOURCE_LIMITED'
  /** The callback token is malformed or was not issued by this gateway. Not retryable: the same request fails the same way. */
  | 'CALLBACK_TOKEN_INVALID'
  /** The callback URL has no token. Not retryable: the same request fails the same way. */
  | 'CALLBACK_TOKEN_MISSING'
  /** The callback body is too large. Not retryable: the same request fails the same way. */
  | 'CALLBACK_TOO_LARGE'
  /** The callback token's upload is not known (it failed or expired). Not retryable: the same request fails the same way. */
  | 'CALLBACK_UPLOAD_UNKNOWN'
  /** The callback token was issued for a different video. Not retryable: the same request fails the same way. */
  | 'CALLBACK_VIDEO_MISMATCH'
  /** MAVI's answer outgrew the gateway's bound on one answer (CHAT_MAX_ANSWER_MS, CHAT_MAX_ANSWER_BYTES): it was cut. Not retryable: the same request fails the same way. */
  | 'CHAT_ANSWER_TOO_LONG'
  /** No chat session with this id is known to you. Not retryable: the same request fails the same way. */
  | 'CHAT_SESSION_NOT_FOUND'
  /** The uploaded file is empty. Not retryable: the same request fails the same way. */
  | 'EMPTY_FILE'
  /** The identity provider's keys could not be loaded yet, so no token can be verified; retry shortly. Retryable. */
  | 'IDENTITY_PROVIDER_UNAVAILABLE'
  /** Unexpected error. Not retryable: the same request fails the same way. */
  | 'INTERNAL_SERVER_ERROR'
  /** The operation's arguments are not acceptable. Not retryable: the same request fails the same way. */
  | 'INVALID_INPUT'
  /** The multipart request is malformed. Not retryable: the same request fails the same way. */
  | 'INVALID_MULTIPART'
  /** The upload needs a Content-Length header. Not retryable: the same request fails the same way. */
  | 'LENGTH_REQUIRED'
  /** No live analysis with this id is known to you. Not retryable: the same request fails the same way. */
  | 'LIVE_ANALYSIS_NOT_FOUND'
  /** Every live stream the gateway's MAVI key may run is taken (or you run as many as one owner may): retry after the time in Retry-After. Retryable. */
  | 'LIVE_CAPACITY_FULL'
  /** The request's Host header or target is malformed. Not retryable: the same request fails the same way. */
  | 'MALFORMED_REQUEST'
  /** MAVI refused the gateway credentials. Not retryable: the same request fails the same way. */
  | 'MAVI_AUTH'
  /** MAVI is busy; retry later. Retryable. */
  | 'MAVI_BUSY'
  /** What answered is not MAVI as the gateway is set up to call it (MAVI_BASE_URL, MAVI_API): an operator problem that retrying does not fix. Not retryable: the same request fails the same way. */
  | 'MAVI_MISCONFIGURED'
  /** MAVI has no credits left on the operator's account. Not retryable: the same request fails the same way. */
  | 'MAVI_QUOTA'
  /** MAVI rejected the request. Not retryable: the same request fails the same way. */
  | 'MAVI_REJECTED'
  /** MAVI could not be reached. Retryable. */
  | 'MAVI_UNAVAILABLE'
  /** Callbacks must be sent with POST. Not retryable: the same request fails the same way. */
  | 'METHOD_NOT_ALLOWED'
  /** Only one file per request is accepted. Not retryable: the same request fails the same way. */
  | 'ONE_FILE_ONLY'
  /** Multipart requests need an Apollo-Require-Preflight header (or X-Apollo-Operation-Name, x-graphql-yoga-csrf or Authorization). Not retryable: the same request fails the same way. */
  | 'PREFLIGHT_REQUIRED'
  /** Too many requests of this kind: wait for the time in extensions.retryAfterSeconds. Retryable. */
  | 'RATE_LIMITED'
  /** Resumable uploads are not available on this gateway: use uploadVideo. Not retryable: the same request fails the same way. */
  | 'RESUMABLE_UPLOADS_OFF'
  /** The gateway is shutting down; retry on another instance. Retryable. */
  | 'SHUTTING_DOWN'
  /** The gateway's staging space is full; retry later. Retryable. */
  | 'STAGING_FULL'
  /** Your staged uploads would hold more bytes than one owner may: finish or delete one first. Retryable. */
  | 'STAGING_QUOTA_EXCEEDED'
  /** The status store is unavailable; retry shortly. Retryable. */
  | 'STORE_UNAVAILABLE'
  /** The stream URL is refused: only rtmp:// and rtmps:// URLs of public addresses are taken. Not retryable: the same request fails the same way. */
  | 'STREAM_URL_REFUSED'
  /** You have as many resumable uploads staged as one owner may: finish or delete one first. Retryable. */
  | 'TOO_MANY_STAGED_UPLOADS'
  /** Too many open subscriptions for this client: close one first. Retryable. */
  | 'TOO_MANY_SUBSCRIPTIONS'
  /** Too many uploads: wait for your turn. Retryable. */
  | 'TOO_MANY_UPLOADS'
  /** This endpoint speaks tus 1.0.0 only: send Tus-Resumable: 1.0.0. Not retryable: the same request fails the same way. */
  | 'TUS_VERSION_UNSUPPORTED'
  /** A valid client key is required: send Authorization: Bearer <key>. Not retryable: the same request fails the same way. */
  | 'UNAUTHENTICATED'
  /** The MAVI API family behind this gateway does not offer this. Not retryable: the same request fails the same way. */
  | 'UNSUPPORTED_BY_MAVI'
  /** The file is not a video this MAVI takes. Not retryable: the same request fails the same way. */
  | 'UNSUPPORTED_MEDIA_TYPE'
  /** The resumable upload was not finished in time; its bytes were removed. Start a new upload. Not retryable: the same request fails the same way. */
  | 'UPLOAD_EXPIRED'
  /** No resumable upload with this id is known to you (it may have expired). Not retryable: the same request fails the same way. */
  | 'UPLOAD_NOT_FOUND'
  /** The uploaded file is larger than the upload limit. Not retryable: the same request fails the same way. */
  | 'UPLOAD_TOO_LARGE'
  /** The video was deleted. Not retryable: the same request fails the same way. */
  | 'VIDEO_DELETED'
  /** No video with this videoNo is known. Not retryable: the same request fails the same way. */
  | 'VIDEO_NOT_FOUND'
  /** The video is not processed yet; wait for its PARSE status. Retryable. */
  | 'VIDEO_NOT_READY'
  /** The URL is refused: only public http(s) addresses are fetched. Not retryable: the same request fails the same way. */
  | 'VIDEO_URL_REFUSED'
  /** The webhook endpoint has no delivery with this id (it may be past its retention). Not retryable: the same request fails the same way. */
  | 'WEBHOOK_DELIVERY_NOT_FOUND'
  /** No webhook endpoint with this id is known. Not retryable: the same request fails the same way. */
  | 'WEBHOOK_ENDPOINT_NOT_FOUND'
  /** The webhook URL is refused: only public http(s) addresses are posted to. Not retryable: the same request fails the same way. */
  | 'WEBHOOK_URL_REFUSED'
  /** A PATCH carries its bytes as Content-Type: application/offset+octet-stream. Not retryable: the same request fails the same way. */
  | 'WRONG_CONTENT_TYPE';

/** A picture in your image library at MAVI. The original MAVI family (MAVI_API=original) has no pictures: UNSUPPORTED_BY_MAVI there. */
export type Image = {
  __typename?: 'Image';
  /** Its type, as read from its bytes (image/jpeg, image/png, image/gif, image/bmp, image/webp). */
  contentType: Scalars['String']['output'];
  /** MAVI's id for the picture, exactly as MAVI gave it (digits; kept as a string, never rounded). */
  imageId: Scalars['ID']['output'];
  /** The file name it was uploaded with. */
  name: Scalars['String']['output'];
  /** Its size in bytes. */
  size: Scalars['Int']['output'];
  /** When it was uploaded. */
  uploadedAt: Scalars['DateTime']['output'];
};

/** A moment in one of your videos that matches a picture. */
export type ImageClip = {
  __typename?: 'ImageClip';
  /** Where it ends, in seconds. */
  endTime: Scalars['Float']['output'];
  /** MAVI's score, 0 to 1; null when MAVI gave none. */
  score: Maybe<Scalars['Float']['output']>;
  /** Where the moment starts, in seconds. */
  startTime: Scalars['Float']['output'];
  /** The video (null if it was deleted meanwhile). */
  video: Maybe<Video>;
  /** The video the moment is in. */
  videoNo: Scalars['ID']['output'];
};

/** A page of your pictures, newest first. */
export type ImageConnection = {
  __typename?: 'ImageConnection';
  /** The pictures, each with its cursor. */
  edges: Array<ImageEdge>;
  /** The pictures (the edges without cursors). */
  nodes: Array<Image>;
  /** Where the page starts and ends, and whether more follow. */
  pageInfo: PageInfo;
};

/** A picture in a list, with its place in it. */
export type ImageEdge = {
  __typename?: 'ImageEdge';
  /** Pass as `after` to continue after this picture. */
  cursor: Scalars['String']['output'];
  /** The picture. */
  node: Image;
};

/** A picture of yours that matches a search. */
export type ImageMatch = {
  __typename?: 'ImageMatch';
  /** The picture. */
  image: Image;
  /** MAVI's score, 0 to 1; null when MAVI gave none. */
  score: Maybe<Scalars['Float']['output']>;
};

/** MAVI watching an RTMP stream for you, with the prompt you gave. Follow its results with the `liveAnalysis` subscription. The successor MAVI family only (UNSUPPORTED_BY_MAVI on the original). */
export type LiveAnalysis = {
  __typename?: 'LiveAnalysis';
  /** The analysis, for `liveAnalysis(id:)` and `stopLiveAnalysis(id:)`. */
  id: Scalars['ID']['output'];
  /** When it started. */
  startedAt: Scalars['DateTime']['output'];
  /** Where it is. */
  state: LiveAnalysisState;
  /** Why it ended; null while it runs. */
  stopReason: Maybe<LiveStopReason>;
  /** When it ended; null while it runs. */
  stoppedAt: Maybe<Scalars['DateTime']['output']>;
};

/** One result of a live analysis, or its end (the last event, with `stopReason`). MAVI does not document its results' shape: `text` is there when the result has a text field, and `raw` is the whole result as MAVI sent it (docs/mavi-families.md). */
export type LiveAnalysisEvent = {
  __typename?: 'LiveAnalysisEvent';
  /** The live analysis. */
  analysisId: Scalars['ID']['output'];
  /** When the gateway received it (or when the analysis ended). */
  at: Scalars['DateTime']['output'];
  /** The whole result, as MAVI sent it; null on the end event. */
  raw: Maybe<Scalars['JSON']['output']>;
  /** RUNNING for a result; STOPPED or FAILED for the end. */
  state: LiveAnalysisState;
  /** Why it ended, on the end event; null on a result. */
  stopReason: Maybe<LiveStopReason>;
  /** The result's text, when it has a text field (text, content, result, caption, answer or message; at the top or under data). */
  text: Maybe<Scalars['String']['output']>;
};

/** Where a live analysis is. */
export type LiveAnalysisState =
  /** It went silent (no result for LIVE_SILENCE_TIMEOUT_MS: the stream ended, or MAVI stopped it, as it does when the credits run out). Nothing more comes. */
  | 'FAILED'
  /** Results are coming (about every 5 s). */
  | 'RUNNING'
  /** MAVI took the stream; no result has come yet. */
  | 'STARTING'
  /** Stopped: by its owner, its owner erased, or its owner's access ended. Nothing more comes. */
  | 'STOPPED';

/** Why a live analysis ended. */
export type LiveStopReason =
  /** The token it was started (or last followed) with expired, and no subscription with a later one followed it. */
  | 'ACCESS_ENDED'
  /** Its owner was erased (eraseOwner). */
  | 'OWNER_ERASED'
  /** No result came for LIVE_SILENCE_TIMEOUT_MS. */
  | 'SILENT'
  /** stopLiveAnalysis. */
  | 'STOPPED_BY_OWNER';

/** Where the video was taken. */
export type LocationInput = {
  /** -90 to 90. */
  latitude: Scalars['Float']['input'];
  /** -180 to 180. */
  longitude: Scalars['Float']['input'];
};

/** Changes: uploads (a file, or a URL MAVI fetches) and deletes. Every field is nullable: a refused one answers null with its error. */
export type Mutation = {
  __typename?: 'Mutation';
  /** For the app's service key: a new endpoint (at most 20). It hears what happens from now on; its secret is answered this once. */
  createWebhookEndpoint: Maybe<WebhookEndpointSecret>;
  /** Removes pictures from your library (at most 100 per call): they are no longer listed or found by searchImages. MAVI documents no way to delete a picture, so its copy stays there (docs/mavi-families.md). Safe to repeat. */
  deleteImages: Maybe<DeleteImagesResult>;
  /** Deletes videos you uploaded, at MAVI and here (at most 100 per call). Their open videoStatus subscriptions end with VIDEO_DELETED. Safe to repeat: a video that is unknown, or already deleted, is skipped. */
  deleteVideos: Maybe<DeleteVideosResult>;
  /** For the app's service key: deletes an endpoint and its deliveries; answers its id. */
  deleteWebhookEndpoint: Maybe<Scalars['ID']['output']>;
  /** For the app's service key: deletes every video of this owner (a user, or a client key), at MAVI and in the gateway, with its transcript records, ending their live subscriptions; and the owner's staged resumable uploads and chat sessions. A durable job: it survives restarts, and asking again while it runs answers the same job. It ends with an owner.erased webhook. */
  eraseOwner: Maybe<Erasure>;
  /** For the app's service key: sends a delivery again, at once and with the same `webhook-id`, on a fresh retry schedule (its attempts stay listed). */
  redeliverWebhook: Maybe<WebhookDelivery>;
  /** For the app's service key: a new secret signs from now on. The one before signs beside it (both signatures in `webhook-signature`) for `previousSecretValidSeconds`, so receivers change over without a failed delivery. */
  rotateWebhookSecret: Maybe<WebhookEndpointSecret>;
  /** For the app's service key: queues a `webhook.test` event for the endpoint, whatever its eventTypes; answers its eventId (see `deliveries`). */
  sendTestWebhook: Maybe<Scalars['ID']['output']>;
  /** Has MAVI watch a live stream and report on it about every 5 s, by your prompt. MAVI runs at most 4 streams for the whole app, shared fairly: at most LIVE_STREAMS_PER_OWNER (default 1) each, LIVE_CAPACITY_FULL (HTTP 429, Retry-After) beyond. A stream started with a user's token stops when that token expires, unless a `liveAnalysis` subscription with a later token follows it. */
  startLiveAnalysis: Maybe<LiveAnalysis>;
  /** Stops your live analysis at MAVI and gives its stream back. Stopping one that ended already changes nothing. */
  stopLiveAnalysis: Maybe<LiveAnalysis>;
  /** For the app's service key: changes an endpoint. `enabled: true` enables a disabled one again, and its kept backlog is sent. The configured endpoint takes only `enabled`. */
  updateWebhookEndpoint: Maybe<WebhookEndpoint>;
  /** Streams a picture (JPEG, PNG, GIF, BMP or WebP, told by its bytes; at most 20 MB) into your image library at MAVI, as a GraphQL multipart request. Find it again with `searchImages`. The original MAVI family (MAVI_API=original) has no pictures: UNSUPPORTED_BY_MAVI there. */
  uploadImage: Maybe<Image>;
  /** Streams a video file to MAVI (MP4, MOV or MKV; WebM or AVI depending on the MAVI API behind the gateway; h264/h265/vp9). Send it as a GraphQL multipart request; the answer comes once MAVI has the whole file. Follow processing with `videoStatus`. One upload per request. */
  uploadVideo: Maybe<Video>;
  /** Has MAVI fetch a video from a public http(s) URL itself (at most 2048 characters; a direct link to the file). Tracked and owned like an uploaded file: follow it with `videoStatus`. URLs naming a loopback, private or link-local address are refused (VIDEO_URL_REFUSED). */
  uploadVideoFromUrl: Maybe<Video>;
};


/** Changes: uploads (a file, or a URL MAVI fetches) and deletes. Every field is nullable: a refused one answers null with its error. */
export type MutationCreateWebhookEndpointArgs = {
  input: WebhookEndpointInput;
};


/** Changes: uploads (a file, or a URL MAVI fetches) and deletes. Every field is nullable: a refused one answers null with its error. */
export type MutationDeleteImagesArgs = {
  imageIds: Array<Scalars['ID']['input']>;
};


/** Changes: uploads (a file, or a URL MAVI fetches) and deletes. Every field is nullable: a refused one answers null with its error. */
export type MutationDeleteVideosArgs = {
  videoNos: Array<Scalars['ID']['input']>;
};


/** Changes: uploads (a file, or a URL MAVI fetches) and deletes. Every field is nullable: a refused one answers null with its error. */
export type MutationDeleteWebhookEndpointArgs = {
  id: Scalars['ID']['input'];
};


/** Changes: uploads (a file, or a URL MAVI fetches) and deletes. Every field is nullable: a refused one answers null with its error. */
export type MutationEraseOwnerArgs = {
  owner: OwnerInput;
};


/** Changes: uploads (a file, or a URL MAVI fetches) and deletes. Every field is nullable: a refused one answers null with its error. */
export type MutationRedeliverWebhookArgs = {
  endpointId: Scalars['ID']['input'];
  eventId: Scalars['ID']['input'];
};


/** Changes: uploads (a file, or a URL MAVI fetches) and deletes. Every field is nullable: a refused one answers null with its error. */
export type MutationRotateWebhookSecretArgs = {
  id: Scalars['ID']['input'];
  previousSecretValidSeconds?: InputMaybe<Scalars['Int']['input']>;
};


/** Changes: uploads (a file, or a URL MAVI fetches) and deletes. Every field is nullable: a refused one answers null with its error. */
export type MutationSendTestWebhookArgs = {
  id: Scalars['ID']['input'];
};


/** Changes: uploads (a file, or a URL MAVI fetches) and deletes. Every field is nullable: a refused one answers null with its error. */
export type MutationStartLiveAnalysisArgs = {
  prompt: Scalars['String']['input'];
  streamUrl: Scalars['String']['input'];
  systemPrompt: InputMaybe<Scalars['String']['input']>;
};


/** Changes: uploads (a file, or a URL MAVI fetches) and deletes. Every field is nullable: a refused one answers null with its error. */
export type MutationStopLiveAnalysisArgs = {
  id: Scalars['ID']['input'];
};


/** Changes: uploads (a file, or a URL MAVI fetches) and deletes. Every field is nullable: a refused one answers null with its error. */
export type MutationUpdateWebhookEndpointArgs = {
  enabled: InputMaybe<Scalars['Boolean']['input']>;
  id: Scalars['ID']['input'];
  input: InputMaybe<WebhookEndpointInput>;
};


/** Changes: uploads (a file, or a URL MAVI fetches) and deletes. Every field is nullable: a refused one answers null with its error. */
export type MutationUploadImageArgs = {
  file: Scalars['Upload']['input'];
};


/** Changes: uploads (a file, or a URL MAVI fetches) and deletes. Every field is nullable: a refused one answers null with its error. */
export type MutationUploadVideoArgs = {
  file: Scalars['Upload']['input'];
  metadata: InputMaybe<UploadMetadataInput>;
  owner: InputMaybe<OwnerInput>;
  passthrough: InputMaybe<Scalars['String']['input']>;
};


/** Changes: uploads (a file, or a URL MAVI fetches) and deletes. Every field is nullable: a refused one answers null with its error. */
export type MutationUploadVideoFromUrlArgs = {
  metadata: InputMaybe<UploadMetadataInput>;
  owner: InputMaybe<OwnerInput>;
  passthrough: InputMaybe<Scalars['String']['input']>;
  url: Scalars['String']['input'];
};

/** An object that can be refetched by its global id with `node(id:)`. */
export type Node = {
  /** A global id (the Relay spec): opaque, unique across types; refetch with `node(id:)`. */
  id: Scalars['ID']['output'];
};

/** A video's owner as your app knows it: the user and tenant claims its identity provider issued, or a client key's name. Null where one does not apply. */
export type Owner = {
  __typename?: 'Owner';
  /** The client key's name. */
  key: Maybe<Scalars['String']['output']>;
  /** The tenant claim (AUTH_TENANT_CLAIM). */
  tenant: Maybe<Scalars['String']['output']>;
  /** The user claim (AUTH_USER_CLAIM). */
  user: Maybe<Scalars['String']['output']>;
};

/** An owner as your app names it: a user by its user claim (with its tenant claim when AUTH_TENANT_CLAIM is set), or a client key by its name. One of the two. */
export type OwnerInput = {
  /** A client key's name (GATEWAY_API_KEYS `name:key`). */
  key: InputMaybe<Scalars['String']['input']>;
  /** The user's tenant claim (AUTH_TENANT_CLAIM). */
  tenant: InputMaybe<Scalars['String']['input']>;
  /** The user claim (AUTH_USER_CLAIM) of a signed-in user. */
  user: InputMaybe<Scalars['String']['input']>;
};

/** Where a page starts and ends, and whether more follow (the Relay connection spec; lists page forward, with `first` and `after`). */
export type PageInfo = {
  __typename?: 'PageInfo';
  /** Pass as `after` for the next page; null when the page is empty. */
  endCursor: Maybe<Scalars['String']['output']>;
  /** True when `after: endCursor` may give more. */
  hasNextPage: Scalars['Boolean']['output'];
  /** True when this page was asked for `after` a cursor: items come before it. */
  hasPreviousPage: Scalars['Boolean']['output'];
  /** The page's first item's cursor; null when the page is empty. */
  startCursor: Maybe<Scalars['String']['output']>;
};

/** Reads. Your videos as the gateway knows them (video, videos, node, resumableUpload), and what MAVI answers about them (searchVideos, searchClips, transcript, video details). Every field is nullable: one that fails answers null with its error, and the others still answer. */
export type Query = {
  __typename?: 'Query';
  /** For the app's service key: an erasure's progress; null for an unknown id. */
  erasure: Maybe<Erasure>;
  /** Your pictures, newest first, from the gateway's records (MAVI has no list of them). At most 100 per page. */
  images: Maybe<ImageConnection>;
  /** The object of yours with this global id (a Video or a ResumableUpload); null when no such object is known to you. */
  node: Maybe<Node>;
  /** A resumable upload of yours, by its tus id; null when no such upload is known to you. */
  resumableUpload: Maybe<ResumableUpload>;
  /** Moments in your processed videos that match a natural-language query (English), best first. Spends MAVI credits: limited per client (RATE_LIMITED). */
  searchClips: Maybe<Array<Clip>>;
  /** The moments in your videos that match a picture (a multipart request; the picture is never stored) and a question about it, best first. Each video named is one search at MAVI, and one turn of your search budget (RATE_LIMITED). A video that is not yours is VIDEO_NOT_FOUND, and nothing is sent. The original MAVI family (MAVI_API=original) has no pictures: UNSUPPORTED_BY_MAVI there. */
  searchClipsByImage: Maybe<Array<ImageClip>>;
  /** Pictures of your library that match a text query, or look like a picture you send (a multipart request; the picture is never stored): exactly one of the two. Best first. Spends MAVI credits: limited per client (RATE_LIMITED). The original MAVI family (MAVI_API=original) has no pictures: UNSUPPORTED_BY_MAVI there. */
  searchImages: Maybe<Array<ImageMatch>>;
  /** Your processed videos that match a natural-language query (English), best first. Spends MAVI credits: limited per client (RATE_LIMITED). */
  searchVideos: Maybe<Array<VideoMatch>>;
  /** The transcript of a video you uploaded; null when no such video is known to you. Not ready yet is a state (PENDING), not an error; the first request starts it where MAVI makes transcripts on demand. Spends MAVI credits: limited per client (RATE_LIMITED). */
  transcript: Maybe<Transcript>;
  /** A video you uploaded, with its last known status; null when no such video is known to you. */
  video: Maybe<Video>;
  /** Your videos, newest first, answered from the gateway (no MAVI call unless `details` is asked for). At most 100 per page. */
  videos: Maybe<VideoConnection>;
  /** For the app's service key: one webhook endpoint; null for an unknown id. */
  webhookEndpoint: Maybe<WebhookEndpoint>;
  /** For the app's service key: every webhook endpoint, the configured one first. */
  webhookEndpoints: Maybe<Array<WebhookEndpoint>>;
};


/** Reads. Your videos as the gateway knows them (video, videos, node, resumableUpload), and what MAVI answers about them (searchVideos, searchClips, transcript, video details). Every field is nullable: one that fails answers null with its error, and the others still answer. */
export type QueryErasureArgs = {
  id: Scalars['ID']['input'];
};


/** Reads. Your videos as the gateway knows them (video, videos, node, resumableUpload), and what MAVI answers about them (searchVideos, searchClips, transcript, video details). Every field is nullable: one that fails answers null with its error, and the others still answer. */
export type QueryImagesArgs = {
  after: InputMaybe<Scalars['String']['input']>;
  first?: InputMaybe<Scalars['Int']['input']>;
};


/** Reads. Your videos as the gateway knows them (video, videos, node, resumableUpload), and what MAVI answers about them (searchVideos, searchClips, transcript, video details). Every field is nullable: one that fails answers null with its error, and the others still answer. */
export type QueryNodeArgs = {
  id: Scalars['ID']['input'];
};


/** Reads. Your videos as the gateway knows them (video, videos, node, resumableUpload), and what MAVI answers about them (searchVideos, searchClips, transcript, video details). Every field is nullable: one that fails answers null with its error, and the others still answer. */
export type QueryResumableUploadArgs = {
  uploadId: Scalars['ID']['input'];
};


/** Reads. Your videos as the gateway knows them (video, videos, node, resumableUpload), and what MAVI answers about them (searchVideos, searchClips, transcript, video details). Every field is nullable: one that fails answers null with its error, and the others still answer. */
export type QuerySearchClipsArgs = {
  first?: InputMaybe<Scalars['Int']['input']>;
  minScore: InputMaybe<Scalars['Float']['input']>;
  query: Scalars['String']['input'];
  videoNos: InputMaybe<Array<Scalars['ID']['input']>>;
};


/** Reads. Your videos as the gateway knows them (video, videos, node, resumableUpload), and what MAVI answers about them (searchVideos, searchClips, transcript, video details). Every field is nullable: one that fails answers null with its error, and the others still answer. */
export type QuerySearchClipsByImageArgs = {
  file: Scalars['Upload']['input'];
  prompt: Scalars['String']['input'];
  videoNos: Array<Scalars['ID']['input']>;
};


/** Reads. Your videos as the gateway knows them (video, videos, node, resumableUpload), and what MAVI answers about them (searchVideos, searchClips, transcript, video details). Every field is nullable: one that fails answers null with its error, and the others still answer. */
export type QuerySearchImagesArgs = {
  file: InputMaybe<Scalars['Upload']['input']>;
  first?: InputMaybe<Scalars['Int']['input']>;
  minSimilarity: InputMaybe<Scalars['Float']['input']>;
  query: InputMaybe<Scalars['String']['input']>;
};


/** Reads. Your videos as the gateway knows them (video, videos, node, resumableUpload), and what MAVI answers about them (searchVideos, searchClips, transcript, video details). Every field is nullable: one that fails answers null with its error, and the others still answer. */
export type QuerySearchVideosArgs = {
  first?: InputMaybe<Scalars['Int']['input']>;
  query: Scalars['String']['input'];
};


/** Reads. Your videos as the gateway knows them (video, videos, node, resumableUpload), and what MAVI answers about them (searchVideos, searchClips, transcript, video details). Every field is nullable: one that fails answers null with its error, and the others still answer. */
export type QueryTranscriptArgs = {
  kind: TranscriptKind;
  videoNo: Scalars['ID']['input'];
};


/** Reads. Your videos as the gateway knows them (video, videos, node, resumableUpload), and what MAVI answers about them (searchVideos, searchClips, transcript, video details). Every field is nullable: one that fails answers null with its error, and the others still answer. */
export type QueryVideoArgs = {
  videoNo: Scalars['ID']['input'];
};


/** Reads. Your videos as the gateway knows them (video, videos, node, resumableUpload), and what MAVI answers about them (searchVideos, searchClips, transcript, video details). Every field is nullable: one that fails answers null with its error, and the others still answer. */
export type QueryVideosArgs = {
  after: InputMaybe<Scalars['String']['input']>;
  first?: InputMaybe<Scalars['Int']['input']>;
  nameContains: InputMaybe<Scalars['String']['input']>;
  owner: InputMaybe<OwnerInput>;
  status: InputMaybe<VideoStatus>;
};


/** Reads. Your videos as the gateway knows them (video, videos, node, resumableUpload), and what MAVI answers about them (searchVideos, searchClips, transcript, video details). Every field is nullable: one that fails answers null with its error, and the others still answer. */
export type QueryWebhookEndpointArgs = {
  id: Scalars['ID']['input'];
};

/** A resumable upload (tus, at /uploads) and how far it has come. */
export type ResumableUpload = Node & {
  __typename?: 'ResumableUpload';
  /** Attempts to send the file to MAVI so far. */
  attempts: Scalars['Int']['output'];
  /** Bytes sent to MAVI in the current (or last) attempt. */
  bytesForwarded: Scalars['Float']['output'];
  /** Why the last attempt failed: a transient code while FORWARDING (it is retried), the final one when FAILED (UPLOAD_EXPIRED for an upload not finished in time). */
  errorCode: Maybe<ErrorCode>;
  /** The same, in words. */
  errorMessage: Maybe<Scalars['String']['output']>;
  /** RECEIVING: when the upload expires unfinished. FORWARDING: when retrying stops. Otherwise: when this record is forgotten. */
  expiresAt: Scalars['DateTime']['output'];
  /** The file name, from the `filename` upload metadata. */
  fileName: Scalars['String']['output'];
  /** A global id (the Relay spec): opaque, unique across types; refetch with `node(id:)`. */
  id: Scalars['ID']['output'];
  /** The file's size in bytes (Upload-Length). */
  length: Scalars['Float']['output'];
  /** Bytes received and staged so far (Upload-Offset). */
  offset: Scalars['Float']['output'];
  /** Where the upload stands. */
  state: ResumableUploadState;
  /** The tus upload's id: the last segment of its URL. */
  uploadId: Scalars['ID']['output'];
  /** The video, once REGISTERED (while it exists). */
  video: Maybe<Video>;
  /** MAVI's id for the video, once REGISTERED. */
  videoNo: Maybe<Scalars['ID']['output']>;
};

/** Where a resumable upload stands. */
export type ResumableUploadState =
  /** The upload ended without a video: `errorCode` says why. Its bytes were removed. */
  | 'FAILED'
  /** Every byte is staged; the gateway is sending the file to MAVI (`bytesForwarded`), or waits to retry (`errorCode` says why). */
  | 'FORWARDING'
  /** The gateway is receiving the file (resume it with tus from `offset`). */
  | 'RECEIVING'
  /** MAVI has the file: `videoNo` names the video; follow it with `videoStatus`. */
  | 'REGISTERED';

/** Live answers, over graphql-ws or SSE: a video's status, a resumable upload's progress, a transcript when it is ready, and chat. */
export type Subscription = {
  __typename?: 'Subscription';
  /** Asks MAVI about your processed videos and streams the answer, piece by piece; completes after ChatDone. Leaving the subscription stops MAVI's answer at once. Spends MAVI credits: limited per client (RATE_LIMITED). Videos not yours are VIDEO_NOT_FOUND, videos not processed VIDEO_NOT_READY. */
  chat: ChatEvent;
  /** The latest result of your live analysis (when there is one), then each new one as MAVI sends it; the last event is its end (STOPPED or FAILED, with stopReason), and the subscription completes. An unknown analysis, or another owner's, fails with LIVE_ANALYSIS_NOT_FOUND. */
  liveAnalysis: LiveAnalysisEvent;
  /** A resumable upload's state now, then at each change: bytes received (about twice a second), forwarding to MAVI, retries; completes after REGISTERED or FAILED. Unknown uploads fail with UPLOAD_NOT_FOUND, and so does an upload deleted while followed. */
  resumableUploadProgress: ResumableUpload;
  /** Waits for a transcript without polling: one event once it is READY (or UNAVAILABLE), then completes. Starts it when needed, like `transcript`. */
  transcriptReady: Transcript;
  /** Every change of every video you can see, as it happens, with a cursor each. With `after:` a cursor you got, the events since then come first (within 7 days); without it, only what happens from now on. Never completes: end it when you are done. */
  videoEvents: VideoEvent;
  /** The current status of a video you uploaded, then one event per change. Completes right after PARSE or FAIL. Unknown videos fail with VIDEO_NOT_FOUND; a video deleted while followed ends with a VIDEO_DELETED error. */
  videoStatus: VideoStatusEvent;
};


/** Live answers, over graphql-ws or SSE: a video's status, a resumable upload's progress, a transcript when it is ready, and chat. */
export type SubscriptionChatArgs = {
  message: Scalars['String']['input'];
  sessionId: InputMaybe<Scalars['ID']['input']>;
  videoNos: Array<Scalars['ID']['input']>;
};


/** Live answers, over graphql-ws or SSE: a video's status, a resumable upload's progress, a transcript when it is ready, and chat. */
export type SubscriptionLiveAnalysisArgs = {
  id: Scalars['ID']['input'];
};


/** Live answers, over graphql-ws or SSE: a video's status, a resumable upload's progress, a transcript when it is ready, and chat. */
export type SubscriptionResumableUploadProgressArgs = {
  uploadId: Scalars['ID']['input'];
};


/** Live answers, over graphql-ws or SSE: a video's status, a resumable upload's progress, a transcript when it is ready, and chat. */
export type SubscriptionTranscriptReadyArgs = {
  kind: TranscriptKind;
  videoNo: Scalars['ID']['input'];
};


/** Live answers, over graphql-ws or SSE: a video's status, a resumable upload's progress, a transcript when it is ready, and chat. */
export type SubscriptionVideoEventsArgs = {
  after: InputMaybe<Scalars['String']['input']>;
};


/** Live answers, over graphql-ws or SSE: a video's status, a resumable upload's progress, a transcript when it is ready, and chat. */
export type SubscriptionVideoStatusArgs = {
  videoNo: Scalars['ID']['input'];
};

/** A video's transcript of one kind, as it stands. */
export type Transcript = {
  __typename?: 'Transcript';
  /** What is transcribed. */
  kind: TranscriptKind;
  /** In time order; empty unless the state is READY. */
  segments: Array<TranscriptSegment>;
  /** Whether it is ready; its segments come once it is READY. */
  state: TranscriptState;
  /** The video transcribed. */
  videoNo: Scalars['ID']['output'];
};

/** Which transcript. */
export type TranscriptKind =
  /** What is said (needs an audio track). */
  | 'SPEECH'
  /** What is seen: scene descriptions. */
  | 'VISUAL';

/** A stretch of the video and what was said or seen in it. */
export type TranscriptSegment = {
  __typename?: 'TranscriptSegment';
  /** End, in seconds. */
  endSeconds: Scalars['Float']['output'];
  /** Start, in seconds from the start of the video. */
  startSeconds: Scalars['Float']['output'];
  /** What was said (SPEECH) or seen (VISUAL) in it. */
  text: Scalars['String']['output'];
};

/** Whether a transcript can be read yet. */
export type TranscriptState =
  /** Being made (the video is still processing, or MAVI is transcribing). Subscribe to transcriptReady to be told, or ask again later. */
  | 'PENDING'
  /** Final: the segments are complete. */
  | 'READY'
  /** MAVI has none: the video failed, has no audio track (SPEECH), or MAVI did not produce one. Asking again later may find one. */
  | 'UNAVAILABLE';

/** What you know about the video, passed on to MAVI. Only the successor MAVI family (MAVI_API=v1) takes it; the original family refuses it with INVALID_INPUT. The successor's limits apply: at most 20 tags, a camera model of at most 200 characters. */
export type UploadMetadataInput = {
  /** The camera, at most 200 characters. */
  cameraModel: InputMaybe<Scalars['String']['input']>;
  /** When the video was taken (sent to MAVI in UTC). */
  capturedAt: InputMaybe<Scalars['DateTime']['input']>;
  /** Where the video was taken. */
  location: InputMaybe<LocationInput>;
  /** Labels to filter by later (at most 20). */
  tags: InputMaybe<Array<Scalars['String']['input']>>;
  /** Steers MAVI's description of what is seen. */
  transcriptionPrompt: InputMaybe<Scalars['String']['input']>;
};

/** A video uploaded through this gateway. */
export type Video = Node & {
  __typename?: 'Video';
  /** What MAVI knows of the video (duration, size, …), asked of MAVI when this field is requested: one batch per request for every video in the answer. Null when MAVI does not know the video (yet). */
  details: Maybe<VideoDetails>;
  /** A global id (the Relay spec): opaque, unique across types; refetch with `node(id:)`. */
  id: Scalars['ID']['output'];
  /** Who uploaded it, as your app names them: shown to a tenant's administrators for their tenant's videos, null for everyone else, and for videos uploaded before owners were recorded (0.3.0). */
  owner: Maybe<Owner>;
  /** Your app's own text given at upload (`passthrough`, up to 1 KiB): never sent to MAVI. */
  passthrough: Maybe<Scalars['String']['output']>;
  /** Where MAVI is with it, as last learned. */
  status: VideoStatus;
  /** When the gateway learned the current status. */
  updatedAt: Scalars['DateTime']['output'];
  /** When MAVI registered the upload. */
  uploadTime: Scalars['DateTime']['output'];
  /** The file name MAVI registered. */
  videoName: Scalars['String']['output'];
  /** MAVI's id for the video, e.g. mavi_video_554046065381212160. */
  videoNo: Scalars['ID']['output'];
};

/** A page of your videos, newest first. */
export type VideoConnection = {
  __typename?: 'VideoConnection';
  /** The videos of the page, each with its cursor. */
  edges: Array<VideoEdge>;
  /** The videos of the page (the edges without cursors). */
  nodes: Array<Video>;
  /** Where the page starts and ends, and whether more follow. */
  pageInfo: PageInfo;
};

/** What MAVI knows of a video beyond its status. A field is null when the MAVI API family behind the gateway does not report it (the original family reports only the duration). */
export type VideoDetails = {
  __typename?: 'VideoDetails';
  /** Length in seconds. */
  durationSeconds: Maybe<Scalars['Float']['output']>;
  /** Frame rate. */
  framesPerSecond: Maybe<Scalars['Float']['output']>;
  /** Frame height in pixels. */
  height: Maybe<Scalars['Int']['output']>;
  /** File size in bytes. */
  sizeBytes: Maybe<Scalars['Float']['output']>;
  /** Frame width in pixels. */
  width: Maybe<Scalars['Int']['output']>;
};

/** A video in a list, with its place in it. */
export type VideoEdge = {
  __typename?: 'VideoEdge';
  /** Pass as `after` to continue after this video. */
  cursor: Scalars['String']['output'];
  /** The video. */
  node: Video;
};

/** A change to a video, as the app's webhooks carry it. */
export type VideoEvent = {
  __typename?: 'VideoEvent';
  /** Its place in the log: resume after it with `videoEvents(after:)`. */
  cursor: Scalars['String']['output'];
  /** The status before, for video.status_changed. */
  previousStatus: Maybe<VideoStatus>;
  /** The video's status after it. */
  status: VideoStatus;
  /** When it happened. */
  timestamp: Scalars['DateTime']['output'];
  /** video.registered, video.status_changed, video.ready, video.failed, video.deleted or transcript.ready. */
  type: Scalars['String']['output'];
  /** The video as it is now; null once it is deleted. */
  video: Maybe<Video>;
  /** The video. */
  videoNo: Scalars['ID']['output'];
};

/** A video that matches a search. */
export type VideoMatch = {
  __typename?: 'VideoMatch';
  /** How well it matches, 0 to 1 (its best moment); null on the original MAVI family, which gives no scores. */
  score: Maybe<Scalars['Float']['output']>;
  /** The video that matches. */
  video: Video;
};

/** A video's processing state at MAVI. PARSE and FAIL are final. */
export type VideoStatus =
  /** Processing failed. */
  | 'FAIL'
  /** Processed, ready to search. */
  | 'PARSE'
  /** Accepted by MAVI, not processed yet. */
  | 'UNPARSE';

/** A video's status, as the gateway learned it. */
export type VideoStatusEvent = {
  __typename?: 'VideoStatusEvent';
  /** When the gateway received this status (from a MAVI callback, a poll, or the upload answer). */
  receivedAt: Scalars['DateTime']['output'];
  /** Its status. */
  status: VideoStatus;
  /** The video. */
  videoNo: Scalars['ID']['output'];
};

/** One attempt to deliver an event. */
export type WebhookAttempt = {
  __typename?: 'WebhookAttempt';
  /** When it was made. */
  at: Scalars['DateTime']['output'];
  /** Why it failed, in a few words; null for a success. */
  error: Maybe<Scalars['String']['output']>;
  /** The receiver's HTTP status; null when no answer came (timeout, network error, refused address). */
  status: Maybe<Scalars['Int']['output']>;
};

/** One event sent (or to be sent) to one endpoint, and what each attempt answered. */
export type WebhookDelivery = {
  __typename?: 'WebhookDelivery';
  /** The attempts made, oldest first (the latest 20). */
  attempts: Array<WebhookAttempt>;
  /** When it was queued. */
  createdAt: Scalars['DateTime']['output'];
  /** The `webhook-id` of every attempt: the receiver’s idempotency key. */
  eventId: Scalars['ID']['output'];
  /** When it is tried next, while PENDING. */
  nextAttemptAt: Maybe<Scalars['DateTime']['output']>;
  /** The exact body every attempt sends (JSON). */
  payload: Scalars['String']['output'];
  /** Where it is. */
  state: WebhookDeliveryState;
  /** The event type (or webhook.test). */
  type: Scalars['String']['output'];
};

/** Where a delivery is. */
export type WebhookDeliveryState =
  /** The receiver answered 2xx. */
  | 'DELIVERED'
  /** Not delivered, for good: a final answer (4xx), or the whole retry schedule spent. */
  | 'FAILED'
  /** Not delivered yet: due at `nextAttemptAt`. */
  | 'PENDING';

/** An endpoint of the app's backend that receives the gateway's events, signed per Standard Webhooks. */
export type WebhookEndpoint = {
  __typename?: 'WebhookEndpoint';
  /** True for APP_WEBHOOK_URL’s endpoint: it is changed in the environment, not here. */
  configured: Scalars['Boolean']['output'];
  /** When it was made; null for the configured one. */
  createdAt: Maybe<Scalars['DateTime']['output']>;
  /** The service key that made it, as `service:<its name>`. */
  createdBy: Maybe<Scalars['String']['output']>;
  /** Its latest deliveries, newest first (kept 7 days after they end). */
  deliveries: Array<WebhookDelivery>;
  /** The app’s own words for it. */
  description: Maybe<Scalars['String']['output']>;
  /** Why it is disabled; events are still queued for it (to APP_WEBHOOK_MAX_BACKLOG) and kept. */
  disabledReason: Maybe<Scalars['String']['output']>;
  /** False once disabled: by a 410, a spent retry schedule, or `updateWebhookEndpoint(enabled: false)`. */
  enabled: Scalars['Boolean']['output'];
  /** The event types it receives: video.registered, video.status_changed, video.ready, video.failed, video.deleted, transcript.ready, upload.failed, owner.erased, live.result, live.stopped. Null: every type. */
  eventTypes: Maybe<Array<Scalars['String']['output']>>;
  /** "app" for APP_WEBHOOK_URL's; `we_…` for one made here. */
  id: Scalars['ID']['output'];
  /** While a rotated-out secret still signs beside the new one: when it stops. */
  previousSecretExpiresAt: Maybe<Scalars['DateTime']['output']>;
  /** Where events are posted. */
  url: Scalars['String']['output'];
};


/** An endpoint of the app's backend that receives the gateway's events, signed per Standard Webhooks. */
export type WebhookEndpointDeliveriesArgs = {
  first?: InputMaybe<Scalars['Int']['input']>;
};

/** What an endpoint is. On an update, a field left out stays as it is. */
export type WebhookEndpointInput = {
  /** Your own words for it (up to 256 characters). */
  description: InputMaybe<Scalars['String']['input']>;
  /** The event types it receives: video.registered, video.status_changed, video.ready, video.failed, video.deleted, transcript.ready, upload.failed, owner.erased, live.result, live.stopped. Null: every type. */
  eventTypes: InputMaybe<Array<Scalars['String']['input']>>;
  /** Where to post: a public http(s) URL (an internal address needs APP_WEBHOOK_ALLOW_PRIVATE=on). Required to make one. */
  url: InputMaybe<Scalars['String']['input']>;
};

/** An endpoint and its new signing secret: shown this once, keep it in your backend’s secrets. */
export type WebhookEndpointSecret = {
  __typename?: 'WebhookEndpointSecret';
  /** The endpoint. */
  endpoint: WebhookEndpoint;
  /** The `whsec_…` secret to verify deliveries with (standardwebhooks `new Webhook(secret)`). */
  secret: Scalars['String']['output'];
};

export type UploadVideoMutationVariables = Exact<{
  file: Scalars['Upload']['input'];
}>;


export type UploadVideoMutation = { __typename?: 'Mutation', uploadVideo: { __typename?: 'Video', videoNo: string, videoName: string, status: VideoStatus, uploadTime: string, updatedAt: string } | null };

export type VideoQueryVariables = Exact<{
  videoNo: Scalars['ID']['input'];
}>;


export type VideoQuery = { __typename?: 'Query', video: { __typename?: 'Video', videoNo: string, videoName: string, status: VideoStatus, uploadTime: string, updatedAt: string } | null };

export type VideoStatusSubscriptionVariables = Exact<{
  videoNo: Scalars['ID']['input'];
}>;


export type VideoStatusSubscription = { __typename?: 'Subscription', videoStatus: { __typename?: 'VideoStatusEvent', videoNo: string, status: VideoStatus, receivedAt: string } };

export type DeleteVideosMutationVariables = Exact<{
  videoNos: Array<Scalars['ID']['input']> | Scalars['ID']['input'];
}>;


export type DeleteVideosMutation = { __typename?: 'Mutation', deleteVideos: { __typename?: 'DeleteVideosResult', deleted: Array<string> } | null };

export type VideosQueryVariables = Exact<{
  first: InputMaybe<Scalars['Int']['input']>;
  after: InputMaybe<Scalars['String']['input']>;
  status: InputMaybe<VideoStatus>;
  nameContains: InputMaybe<Scalars['String']['input']>;
}>;


export type VideosQuery = { __typename?: 'Query', videos: { __typename?: 'VideoConnection', edges: Array<{ __typename?: 'VideoEdge', cursor: string, node: { __typename?: 'Video', videoNo: string, videoName: string, status: VideoStatus } }>, nodes: Array<{ __typename?: 'Video', videoNo: string }>, pageInfo: { __typename?: 'PageInfo', hasNextPage: boolean, hasPreviousPage: boolean, startCursor: string | null, endCursor: string | null } } | null };

export type VideosWithDetailsQueryVariables = Exact<{
  first: InputMaybe<Scalars['Int']['input']>;
}>;


export type VideosWithDetailsQuery = { __typename?: 'Query', videos: { __typename?: 'VideoConnection', nodes: Array<{ __typename?: 'Video', videoNo: string, details: { __typename?: 'VideoDetails', durationSeconds: number | null, sizeBytes: number | null, width: number | null, height: number | null, framesPerSecond: number | null } | null, again: { __typename?: 'VideoDetails', durationSeconds: number | null } | null }> } | null };

export type SearchVideosQueryVariables = Exact<{
  query: Scalars['String']['input'];
  first: InputMaybe<Scalars['Int']['input']>;
}>;


export type SearchVideosQuery = { __typename?: 'Query', searchVideos: Array<{ __typename?: 'VideoMatch', score: number | null, video: { __typename?: 'Video', videoNo: string, videoName: string } }> | null };

export type SearchClipsQueryVariables = Exact<{
  query: Scalars['String']['input'];
  videoNos: InputMaybe<Array<Scalars['ID']['input']> | Scalars['ID']['input']>;
  first: InputMaybe<Scalars['Int']['input']>;
  minScore: InputMaybe<Scalars['Float']['input']>;
}>;


export type SearchClipsQuery = { __typename?: 'Query', searchClips: Array<{ __typename?: 'Clip', startSeconds: number, endSeconds: number, score: number | null, video: { __typename?: 'Video', videoNo: string } }> | null };

export type ChatSubscriptionVariables = Exact<{
  videoNos: Array<Scalars['ID']['input']> | Scalars['ID']['input'];
  message: Scalars['String']['input'];
  sessionId: InputMaybe<Scalars['ID']['input']>;
}>;


export type ChatSubscription = { __typename?: 'Subscription', chat: { __typename: 'ChatDone', sessionId: string } | { __typename: 'ChatReference', videoNo: string, startSeconds: number, endSeconds: number | null, caption: string | null } | { __typename: 'ChatText', text: string } | { __typename: 'ChatThinking', title: string, content: string } };

export type TranscriptQueryVariables = Exact<{
  videoNo: Scalars['ID']['input'];
  kind: TranscriptKind;
}>;


export type TranscriptQuery = { __typename?: 'Query', transcript: { __typename?: 'Transcript', videoNo: string, kind: TranscriptKind, state: TranscriptState, segments: Array<{ __typename?: 'TranscriptSegment', startSeconds: number, endSeconds: number, text: string }> } | null };

export type TranscriptReadySubscriptionVariables = Exact<{
  videoNo: Scalars['ID']['input'];
  kind: TranscriptKind;
}>;


export type TranscriptReadySubscription = { __typename?: 'Subscription', transcriptReady: { __typename?: 'Transcript', videoNo: string, kind: TranscriptKind, state: TranscriptState, segments: Array<{ __typename?: 'TranscriptSegment', startSeconds: number, endSeconds: number, text: string }> } };

export type UploadVideoFromUrlMutationVariables = Exact<{
  url: Scalars['String']['input'];
  metadata: InputMaybe<UploadMetadataInput>;
}>;


export type UploadVideoFromUrlMutation = { __typename?: 'Mutation', uploadVideoFromUrl: { __typename?: 'Video', videoNo: string, videoName: string, status: VideoStatus } | null };

export type UploadVideoWithMetadataMutationVariables = Exact<{
  file: Scalars['Upload']['input'];
  metadata: InputMaybe<UploadMetadataInput>;
}>;


export type UploadVideoWithMetadataMutation = { __typename?: 'Mutation', uploadVideo: { __typename?: 'Video', videoNo: string, videoName: string, status: VideoStatus } | null };

export type ResumableUploadFieldsFragment = { __typename?: 'ResumableUpload', uploadId: string, fileName: string, state: ResumableUploadState, length: number, offset: number, bytesForwarded: number, attempts: number, errorCode: ErrorCode | null, errorMessage: string | null, videoNo: string | null, expiresAt: string };

export type ResumableUploadQueryVariables = Exact<{
  uploadId: Scalars['ID']['input'];
}>;


export type ResumableUploadQuery = { __typename?: 'Query', resumableUpload: { __typename?: 'ResumableUpload', uploadId: string, fileName: string, state: ResumableUploadState, length: number, offset: number, bytesForwarded: number, attempts: number, errorCode: ErrorCode | null, errorMessage: string | null, videoNo: string | null, expiresAt: string, video: { __typename?: 'Video', videoNo: string, videoName: string, status: VideoStatus } | null } | null };

export type ResumableUploadProgressSubscriptionVariables = Exact<{
  uploadId: Scalars['ID']['input'];
}>;


export type ResumableUploadProgressSubscription = { __typename?: 'Subscription', resumableUploadProgress: { __typename?: 'ResumableUpload', uploadId: string, fileName: string, state: ResumableUploadState, length: number, offset: number, bytesForwarded: number, attempts: number, errorCode: ErrorCode | null, errorMessage: string | null, videoNo: string | null, expiresAt: string } };

export type VideoIdQueryVariables = Exact<{
  videoNo: Scalars['ID']['input'];
}>;


export type VideoIdQuery = { __typename?: 'Query', video: { __typename?: 'Video', id: string, videoNo: string } | null };

export type ResumableUploadIdQueryVariables = Exact<{
  uploadId: Scalars['ID']['input'];
}>;


export type ResumableUploadIdQuery = { __typename?: 'Query', resumableUpload: { __typename?: 'ResumableUpload', id: string, uploadId: string } | null };

export type NodeQueryVariables = Exact<{
  id: Scalars['ID']['input'];
}>;


export type NodeQuery = { __typename?: 'Query', node: { __typename: 'ResumableUpload', uploadId: string, state: ResumableUploadState, id: string } | { __typename: 'Video', videoNo: string, videoName: string, id: string } | null };

export type VideosAndSearchQueryVariables = Exact<{
  query: Scalars['String']['input'];
}>;


export type VideosAndSearchQuery = { __typename?: 'Query', videos: { __typename?: 'VideoConnection', nodes: Array<{ __typename?: 'Video', videoNo: string }> } | null, searchVideos: Array<{ __typename?: 'VideoMatch', video: { __typename?: 'Video', videoNo: string } }> | null };

export type VideoEventsSubscriptionVariables = Exact<{
  after: InputMaybe<Scalars['String']['input']>;
}>;


export type VideoEventsSubscription = { __typename?: 'Subscription', videoEvents: { __typename?: 'VideoEvent', cursor: string, type: string, videoNo: string, status: VideoStatus, previousStatus: VideoStatus | null, video: { __typename?: 'Video', videoNo: string, owner: { __typename?: 'Owner', user: string | null, key: string | null } | null } | null } };

export type EraseOwnerMutationVariables = Exact<{
  owner: OwnerInput;
}>;


export type EraseOwnerMutation = { __typename?: 'Mutation', eraseOwner: { __typename?: 'Erasure', id: string, state: ErasureState, videosDeleted: number, deletedVideoNos: Array<string>, refusedVideoNos: Array<string>, owner: { __typename?: 'Owner', user: string | null, tenant: string | null, key: string | null } | null } | null };

export type ErasureQueryVariables = Exact<{
  id: Scalars['ID']['input'];
}>;


export type ErasureQuery = { __typename?: 'Query', erasure: { __typename?: 'Erasure', id: string, state: ErasureState, videosDeleted: number, deletedVideoNos: Array<string>, stagedUploadsDeleted: number, chatSessionsDeleted: number } | null };

export type WebhookEndpointFieldsFragment = { __typename?: 'WebhookEndpoint', id: string, url: string, eventTypes: Array<string> | null, description: string | null, configured: boolean, enabled: boolean, disabledReason: string | null, createdAt: string | null, createdBy: string | null, previousSecretExpiresAt: string | null };

export type WebhookEndpointsQueryVariables = Exact<{ [key: string]: never; }>;


export type WebhookEndpointsQuery = { __typename?: 'Query', webhookEndpoints: Array<{ __typename?: 'WebhookEndpoint', id: string, url: string, eventTypes: Array<string> | null, description: string | null, configured: boolean, enabled: boolean, disabledReason: string | null, createdAt: string | null, createdBy: string | null, previousSecretExpiresAt: string | null }> | null };

export type WebhookDeliveriesQueryVariables = Exact<{
  id: Scalars['ID']['input'];
  first: InputMaybe<Scalars['Int']['input']>;
}>;


export type WebhookDeliveriesQuery = { __typename?: 'Query', webhookEndpoint: { __typename?: 'WebhookEndpoint', id: string, deliveries: Array<{ __typename?: 'WebhookDelivery', eventId: string, type: string, state: WebhookDeliveryState, payload: string, createdAt: string, nextAttemptAt: string | null, attempts: Array<{ __typename?: 'WebhookAttempt', at: string, status: number | null, error: string | null }> }> } | null };

export type CreateWebhookEndpointMutationVariables = Exact<{
  input: WebhookEndpointInput;
}>;


export type CreateWebhookEndpointMutation = { __typename?: 'Mutation', createWebhookEndpoint: { __typename?: 'WebhookEndpointSecret', secret: string, endpoint: { __typename?: 'WebhookEndpoint', id: string, url: string, eventTypes: Array<string> | null, description: string | null, configured: boolean, enabled: boolean, disabledReason: string | null, createdAt: string | null, createdBy: string | null, previousSecretExpiresAt: string | null } } | null };

export type UpdateWebhookEndpointMutationVariables = Exact<{
  id: Scalars['ID']['input'];
  input: InputMaybe<WebhookEndpointInput>;
  enabled: InputMaybe<Scalars['Boolean']['input']>;
}>;


export type UpdateWebhookEndpointMutation = { __typename?: 'Mutation', updateWebhookEndpoint: { __typename?: 'WebhookEndpoint', id: string, url: string, eventTypes: Array<string> | null, description: string | null, configured: boolean, enabled: boolean, disabledReason: string | null, createdAt: string | null, createdBy: string | null, previousSecretExpiresAt: string | null } | null };

export type DeleteWebhookEndpointMutationVariables = Exact<{
  id: Scalars['ID']['input'];
}>;


export type DeleteWebhookEndpointMutation = { __typename?: 'Mutation', deleteWebhookEndpoint: string | null };

export type RotateWebhookSecretMutationVariables = Exact<{
  id: Scalars['ID']['input'];
  previousSecretValidSeconds: InputMaybe<Scalars['Int']['input']>;
}>;


export type RotateWebhookSecretMutation = { __typename?: 'Mutation', rotateWebhookSecret: { __typename?: 'WebhookEndpointSecret', secret: string, endpoint: { __typename?: 'WebhookEndpoint', id: string, url: string, eventTypes: Array<string> | null, description: string | null, configured: boolean, enabled: boolean, disabledReason: string | null, createdAt: string | null, createdBy: string | null, previousSecretExpiresAt: string | null } } | null };

export type SendTestWebhookMutationVariables = Exact<{
  id: Scalars['ID']['input'];
}>;


export type SendTestWebhookMutation = { __typename?: 'Mutation', sendTestWebhook: string | null };

export type RedeliverWebhookMutationVariables = Exact<{
  endpointId: Scalars['ID']['input'];
  eventId: Scalars['ID']['input'];
}>;


export type RedeliverWebhookMutation = { __typename?: 'Mutation', redeliverWebhook: { __typename?: 'WebhookDelivery', eventId: string, state: WebhookDeliveryState } | null };

export type UploadImageMutationVariables = Exact<{
  file: Scalars['Upload']['input'];
}>;


export type UploadImageMutation = { __typename?: 'Mutation', uploadImage: { __typename?: 'Image', imageId: string, name: string, contentType: string, size: number, uploadedAt: string } | null };

export type ImagesQueryVariables = Exact<{
  first: InputMaybe<Scalars['Int']['input']>;
  after: InputMaybe<Scalars['String']['input']>;
}>;


export type ImagesQuery = { __typename?: 'Query', images: { __typename?: 'ImageConnection', nodes: Array<{ __typename?: 'Image', imageId: string, name: string }>, pageInfo: { __typename?: 'PageInfo', hasNextPage: boolean, endCursor: string | null } } | null };

export type DeleteImagesMutationVariables = Exact<{
  imageIds: Array<Scalars['ID']['input']> | Scalars['ID']['input'];
}>;


export type DeleteImagesMutation = { __typename?: 'Mutation', deleteImages: { __typename?: 'DeleteImagesResult', deleted: Array<string> } | null };

export type SearchImagesByTextQueryVariables = Exact<{
  query: Scalars['String']['input'];
  first: InputMaybe<Scalars['Int']['input']>;
}>;


export type SearchImagesByTextQuery = { __typename?: 'Query', searchImages: Array<{ __typename?: 'ImageMatch', score: number | null, image: { __typename?: 'Image', imageId: string, name: string } }> | null };

export type SearchImagesByPictureQueryVariables = Exact<{
  file: Scalars['Upload']['input'];
  minSimilarity: InputMaybe<Scalars['Float']['input']>;
}>;


export type SearchImagesByPictureQuery = { __typename?: 'Query', searchImages: Array<{ __typename?: 'ImageMatch', score: number | null, image: { __typename?: 'Image', imageId: string, name: string } }> | null };

export type SearchClipsByImageQueryVariables = Exact<{
  file: Scalars['Upload']['input'];
  videoNos: Array<Scalars['ID']['input']> | Scalars['ID']['input'];
  prompt: Scalars['String']['input'];
}>;


export type SearchClipsByImageQuery = { __typename?: 'Query', searchClipsByImage: Array<{ __typename?: 'ImageClip', videoNo: string, startTime: number, endTime: number, score: number | null, video: { __typename?: 'Video', videoName: string } | null }> | null };

export type StartLiveAnalysisMutationVariables = Exact<{
  streamUrl: Scalars['String']['input'];
  prompt: Scalars['String']['input'];
  systemPrompt: InputMaybe<Scalars['String']['input']>;
}>;


export type StartLiveAnalysisMutation = { __typename?: 'Mutation', startLiveAnalysis: { __typename?: 'LiveAnalysis', id: string, state: LiveAnalysisState, startedAt: string } | null };

export type StopLiveAnalysisMutationVariables = Exact<{
  id: Scalars['ID']['input'];
}>;


export type StopLiveAnalysisMutation = { __typename?: 'Mutation', stopLiveAnalysis: { __typename?: 'LiveAnalysis', id: string, state: LiveAnalysisState, stoppedAt: string | null, stopReason: LiveStopReason | null } | null };

export type LiveAnalysisSubscriptionVariables = Exact<{
  id: Scalars['ID']['input'];
}>;


export type LiveAnalysisSubscription = { __typename?: 'Subscription', liveAnalysis: { __typename?: 'LiveAnalysisEvent', analysisId: string, state: LiveAnalysisState, text: string | null, at: string, raw: any | null, stopReason: LiveStopReason | null } };

export const ResumableUploadFieldsFragmentDoc = {"kind":"Document","definitions":[{"kind":"FragmentDefinition","name":{"kind":"Name","value":"ResumableUploadFields"},"typeCondition":{"kind":"NamedType","name":{"kind":"Name","value":"ResumableUpload"}},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"uploadId"}},{"kind":"Field","name":{"kind":"Name","value":"fileName"}},{"kind":"Field","name":{"kind":"Name","value":"state"}},{"kind":"Field","name":{"kind":"Name","value":"length"}},{"kind":"Field","name":{"kind":"Name","value":"offset"}},{"kind":"Field","name":{"kind":"Name","value":"bytesForwarded"}},{"kind":"Field","name":{"kind":"Name","value":"attempts"}},{"kind":"Field","name":{"kind":"Name","value":"errorCode"}},{"kind":"Field","name":{"kind":"Name","value":"errorMessage"}},{"kind":"Field","name":{"kind":"Name","value":"videoNo"}},{"kind":"Field","name":{"kind":"Name","value":"expiresAt"}}]}}]} as unknown as DocumentNode<ResumableUploadFieldsFragment, unknown>;
export const WebhookEndpointFieldsFragmentDoc = {"kind":"Document","definitions":[{"kind":"FragmentDefinition","name":{"kind":"Name","value":"WebhookEndpointFields"},"typeCondition":{"kind":"NamedType","name":{"kind":"Name","value":"WebhookEndpoint"}},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"id"}},{"kind":"Field","name":{"kind":"Name","value":"url"}},{"kind":"Field","name":{"kind":"Name","value":"eventTypes"}},{"kind":"Field","name":{"kind":"Name","value":"description"}},{"kind":"Field","name":{"kind":"Name","value":"configured"}},{"kind":"Field","name":{"kind":"Name","value":"enabled"}},{"kind":"Field","name":{"kind":"Name","value":"disabledReason"}},{"kind":"Field","name":{"kind":"Name","value":"createdAt"}},{"kind":"Field","name":{"kind":"Name","value":"createdBy"}},{"kind":"Field","name":{"kind":"Name","value":"previousSecretExpiresAt"}}]}}]} as unknown as DocumentNode<WebhookEndpointFieldsFragment, unknown>;
export const UploadVideoDocument = {"kind":"Document","definitions":[{"kind":"OperationDefinition","operation":"mutation","name":{"kind":"Name","value":"UploadVideo"},"variableDefinitions":[{"kind":"VariableDefinition","variable":{"kind":"Variable","name":{"kind":"Name","value":"file"}},"type":{"kind":"NonNullType","type":{"kind":"NamedType","name":{"kind":"Name","value":"Upload"}}}}],"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"uploadVideo"},"arguments":[{"kind":"Argument","name":{"kind":"Name","value":"file"},"value":{"kind":"Variable","name":{"kind":"Name","value":"file"}}}],"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"videoNo"}},{"kind":"Field","name":{"kind":"Name","value":"videoName"}},{"kind":"Field","name":{"kind":"Name","value":"status"}},{"kind":"Field","name":{"kind":"Name","value":"uploadTime"}},{"kind":"Field","name":{"kind":"Name","value":"updatedAt"}}]}}]}}]} as unknown as DocumentNode<UploadVideoMutation, UploadVideoMutationVariables>;
export const VideoDocument = {"kind":"Document","definitions":[{"kind":"OperationDefinition","operation":"query","name":{"kind":"Name","value":"Video"},"variableDefinitions":[{"kind":"VariableDefinition","variable":{"kind":"Variable","name":{"kind":"Name","value":"videoNo"}},"type":{"kind":"NonNullType","type":{"kind":"NamedType","name":{"kind":"Name","value":"ID"}}}}],"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"video"},"arguments":[{"kind":"Argument","name":{"kind":"Name","value":"videoNo"},"value":{"kind":"Variable","name":{"kind":"Name","value":"videoNo"}}}],"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"videoNo"}},{"kind":"Field","name":{"kind":"Name","value":"videoName"}},{"kind":"Field","name":{"kind":"Name","value":"status"}},{"kind":"Field","name":{"kind":"Name","value":"uploadTime"}},{"kind":"Field","name":{"kind":"Name","value":"updatedAt"}}]}}]}}]} as unknown as DocumentNode<VideoQuery, VideoQueryVariables>;
export const VideoStatusDocument = {"kind":"Document","definitions":[{"kind":"OperationDefinition","operation":"subscription","name":{"kind":"Name","value":"VideoStatus"},"variableDefinitions":[{"kind":"VariableDefinition","variable":{"kind":"Variable","name":{"kind":"Name","value":"videoNo"}},"type":{"kind":"NonNullType","type":{"kind":"NamedType","name":{"kind":"Name","value":"ID"}}}}],"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"videoStatus"},"arguments":[{"kind":"Argument","name":{"kind":"Name","value":"videoNo"},"value":{"kind":"Variable","name":{"kind":"Name","value":"videoNo"}}}],"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"videoNo"}},{"kind":"Field","name":{"kind":"Name","value":"status"}},{"kind":"Field","name":{"kind":"Name","value":"receivedAt"}}]}}]}}]} as unknown as DocumentNode<VideoStatusSubscription, VideoStatusSubscriptionVariables>;
export const DeleteVideosDocument = {"kind":"Document","definitions":[{"kind":"OperationDefinition","operation":"mutation","name":{"kind":"Name","value":"DeleteVideos"},"variableDefinitions":[{"kind":"VariableDefinition","variable":{"kind":"Variable","name":{"kind":"Name","value":"videoNos"}},"type":{"kind":"NonNullType","type":{"kind":"ListType","type":{"kind":"NonNullType","type":{"kind":"NamedType","name":{"kind":"Name","value":"ID"}}}}}}],"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"deleteVideos"},"arguments":[{"kind":"Argument","name":{"kind":"Name","value":"videoNos"},"value":{"kind":"Variable","name":{"kind":"Name","value":"videoNos"}}}],"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"deleted"}}]}}]}}]} as unknown as DocumentNode<DeleteVideosMutation, DeleteVideosMutationVariables>;
export const VideosDocument = {"kind":"Document","definitions":[{"kind":"OperationDefinition","operation":"query","name":{"kind":"Name","value":"Videos"},"variableDefinitions":[{"kind":"VariableDefinition","variable":{"kind":"Variable","name":{"kind":"Name","value":"first"}},"type":{"kind":"NamedType","name":{"kind":"Name","value":"Int"}}},{"kind":"VariableDefinition","variable":{"kind":"Variable","name":{"kind":"Name","value":"after"}},"type":{"kind":"NamedType","name":{"kind":"Name","value":"String"}}},{"kind":"VariableDefinition","variable":{"kind":"Variable","name":{"kind":"Name","value":"status"}},"type":{"kind":"NamedType","name":{"kind":"Name","value":"VideoStatus"}}},{"kind":"VariableDefinition","variable":{"kind":"Variable","name":{"kind":"Name","value":"nameContains"}},"type":{"kind":"NamedType","name":{"kind":"Name","value":"String"}}}],"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"videos"},"arguments":[{"kind":"Argument","name":{"kind":"Name","value":"first"},"value":{"kind":"Variable","name":{"kind":"Name","value":"first"}}},{"kind":"Argument","name":{"kind":"Name","value":"after"},"value":{"kind":"Variable","name":{"kind":"Name","value":"after"}}},{"kind":"Argument","name":{"kind":"Name","value":"status"},"value":{"kind":"Variable","name":{"kind":"Name","value":"status"}}},{"kind":"Argument","name":{"kind":"Name","value":"nameContains"},"value":{"kind":"Variable","name":{"kind":"Name","value":"nameContains"}}}],"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"edges"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"cursor"}},{"kind":"Field","name":{"kind":"Name","value":"node"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"videoNo"}},{"kind":"Field","name":{"kind":"Name","value":"videoName"}},{"kind":"Field","name":{"kind":"Name","value":"status"}}]}}]}},{"kind":"Field","name":{"kind":"Name","value":"nodes"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"videoNo"}}]}},{"kind":"Field","name":{"kind":"Name","value":"pageInfo"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"hasNextPage"}},{"kind":"Field","name":{"kind":"Name","value":"hasPreviousPage"}},{"kind":"Field","name":{"kind":"Name","value":"startCursor"}},{"kind":"Field","name":{"kind":"Name","value":"endCursor"}}]}}]}}]}}]} as unknown as DocumentNode<VideosQuery, VideosQueryVariables>;
export const VideosWithDetailsDocument = {"kind":"Document","definitions":[{"kind":"OperationDefinition","operation":"query","name":{"kind":"Name","value":"VideosWithDetails"},"variableDefinitions":[{"kind":"VariableDefinition","variable":{"kind":"Variable","name":{"kind":"Name","value":"first"}},"type":{"kind":"NamedType","name":{"kind":"Name","value":"Int"}}}],"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"videos"},"arguments":[{"kind":"Argument","name":{"kind":"Name","value":"first"},"value":{"kind":"Variable","name":{"kind":"Name","value":"first"}}}],"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"nodes"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"videoNo"}},{"kind":"Field","name":{"kind":"Name","value":"details"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"durationSeconds"}},{"kind":"Field","name":{"kind":"Name","value":"sizeBytes"}},{"kind":"Field","name":{"kind":"Name","value":"width"}},{"kind":"Field","name":{"kind":"Name","value":"height"}},{"kind":"Field","name":{"kind":"Name","value":"framesPerSecond"}}]}},{"kind":"Field","alias":{"kind":"Name","value":"again"},"name":{"kind":"Name","value":"details"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"durationSeconds"}}]}}]}}]}}]}}]} as unknown as DocumentNode<VideosWithDetailsQuery, VideosWithDetailsQueryVariables>;
export const SearchVideosDocument = {"kind":"Document","definitions":[{"kind":"OperationDefinition","operation":"query","name":{"kind":"Name","value":"SearchVideos"},"variableDefinitions":[{"kind":"VariableDefinition","variable":{"kind":"Variable","name":{"kind":"Name","value":"query"}},"type":{"kind":"NonNullType","type":{"kind":"NamedType","name":{"kind":"Name","value":"String"}}}},{"kind":"VariableDefinition","variable":{"kind":"Variable","name":{"kind":"Name","value":"first"}},"type":{"kind":"NamedType","name":{"kind":"Name","value":"Int"}}}],"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"searchVideos"},"arguments":[{"kind":"Argument","name":{"kind":"Name","value":"query"},"value":{"kind":"Variable","name":{"kind":"Name","value":"query"}}},{"kind":"Argument","name":{"kind":"Name","value":"first"},"value":{"kind":"Variable","name":{"kind":"Name","value":"first"}}}],"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"video"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"videoNo"}},{"kind":"Field","name":{"kind":"Name","value":"videoName"}}]}},{"kind":"Field","name":{"kind":"Name","value":"score"}}]}}]}}]} as unknown as DocumentNode<SearchVideosQuery, SearchVideosQueryVariables>;
export const SearchClipsDocument = {"kind":"Document","definitions":[{"kind":"OperationDefinition","operation":"query","name":{"kind":"Name","value":"SearchClips"},"variableDefinitions":[{"kind":"VariableDefinition","variable":{"kind":"Variable","name":{"kind":"Name","value":"query"}},"type":{"kind":"NonNullType","type":{"kind":"NamedType","name":{"kind":"Name","value":"String"}}}},{"kind":"VariableDefinition","variable":{"kind":"Variable","name":{"kind":"Name","value":"videoNos"}},"type":{"kind":"ListType","type":{"kind":"NonNullType","type":{"kind":"NamedType","name":{"kind":"Name","value":"ID"}}}}},{"kind":"VariableDefinition","variable":{"kind":"Variable","name":{"kind":"Name","value":"first"}},"type":{"kind":"NamedType","name":{"kind":"Name","value":"Int"}}},{"kind":"VariableDefinition","variable":{"kind":"Variable","name":{"kind":"Name","value":"minScore"}},"type":{"kind":"NamedType","name":{"kind":"Name","value":"Float"}}}],"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"searchClips"},"arguments":[{"kind":"Argument","name":{"kind":"Name","value":"query"},"value":{"kind":"Variable","name":{"kind":"Name","value":"query"}}},{"kind":"Argument","name":{"kind":"Name","value":"videoNos"},"value":{"kind":"Variable","name":{"kind":"Name","value":"videoNos"}}},{"kind":"Argument","name":{"kind":"Name","value":"first"},"value":{"kind":"Variable","name":{"kind":"Name","value":"first"}}},{"kind":"Argument","name":{"kind":"Name","value":"minScore"},"value":{"kind":"Variable","name":{"kind":"Name","value":"minScore"}}}],"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"video"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"videoNo"}}]}},{"kind":"Field","name":{"kind":"Name","value":"startSeconds"}},{"kind":"Field","name":{"kind":"Name","value":"endSeconds"}},{"kind":"Field","name":{"kind":"Name","value":"score"}}]}}]}}]} as unknown as DocumentNode<SearchClipsQuery, SearchClipsQueryVariables>;
export const ChatDocument = {"kind":"Document","definitions":[{"kind":"OperationDefinition","operation":"subscription","name":{"kind":"Name","value":"Chat"},"variableDefinitions":[{"kind":"VariableDefinition","variable":{"kind":"Variable","name":{"kind":"Name","value":"videoNos"}},"type":{"kind":"NonNullType","type":{"kind":"ListType","type":{"kind":"NonNullType","type":{"kind":"NamedType","name":{"kind":"Name","value":"ID"}}}}}},{"kind":"VariableDefinition","variable":{"kind":"Variable","name":{"kind":"Name","value":"message"}},"type":{"kind":"NonNullType","type":{"kind":"NamedType","name":{"kind":"Name","value":"String"}}}},{"kind":"VariableDefinition","variable":{"kind":"Variable","name":{"kind":"Name","value":"sessionId"}},"type":{"kind":"NamedType","name":{"kind":"Name","value":"ID"}}}],"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"chat"},"arguments":[{"kind":"Argument","name":{"kind":"Name","value":"videoNos"},"value":{"kind":"Variable","name":{"kind":"Name","value":"videoNos"}}},{"kind":"Argument","name":{"kind":"Name","value":"message"},"value":{"kind":"Variable","name":{"kind":"Name","value":"message"}}},{"kind":"Argument","name":{"kind":"Name","value":"sessionId"},"value":{"kind":"Variable","name":{"kind":"Name","value":"sessionId"}}}],"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"__typename"}},{"kind":"InlineFragment","typeCondition":{"kind":"NamedType","name":{"kind":"Name","value":"ChatThinking"}},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"title"}},{"kind":"Field","name":{"kind":"Name","value":"content"}}]}},{"kind":"InlineFragment","typeCondition":{"kind":"NamedType","name":{"kind":"Name","value":"ChatReference"}},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"videoNo"}},{"kind":"Field","name":{"kind":"Name","value":"startSeconds"}},{"kind":"Field","name":{"kind":"Name","value":"endSeconds"}},{"kind":"Field","name":{"kind":"Name","value":"caption"}}]}},{"kind":"InlineFragment","typeCondition":{"kind":"NamedType","name":{"kind":"Name","value":"ChatText"}},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"text"}}]}},{"kind":"InlineFragment","typeCondition":{"kind":"NamedType","name":{"kind":"Name","value":"ChatDone"}},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"sessionId"}}]}}]}}]}}]} as unknown as DocumentNode<ChatSubscription, ChatSubscriptionVariables>;
export const TranscriptDocument = {"kind":"Document","definitions":[{"kind":"OperationDefinition","operation":"query","name":{"kind":"Name","value":"Transcript"},"variableDefinitions":[{"kind":"VariableDefinition","variable":{"kind":"Variable","name":{"kind":"Name","value":"videoNo"}},"type":{"kind":"NonNullType","type":{"kind":"NamedType","name":{"kind":"Name","value":"ID"}}}},{"kind":"VariableDefinition","variable":{"kind":"Variable","name":{"kind":"Name","value":"kind"}},"type":{"kind":"NonNullType","type":{"kind":"NamedType","name":{"kind":"Name","value":"TranscriptKind"}}}}],"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"transcript"},"arguments":[{"kind":"Argument","name":{"kind":"Name","value":"videoNo"},"value":{"kind":"Variable","name":{"kind":"Name","value":"videoNo"}}},{"kind":"Argument","name":{"kind":"Name","value":"kind"},"value":{"kind":"Variable","name":{"kind":"Name","value":"kind"}}}],"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"videoNo"}},{"kind":"Field","name":{"kind":"Name","value":"kind"}},{"kind":"Field","name":{"kind":"Name","value":"state"}},{"kind":"Field","name":{"kind":"Name","value":"segments"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"startSeconds"}},{"kind":"Field","name":{"kind":"Name","value":"endSeconds"}},{"kind":"Field","name":{"kind":"Name","value":"text"}}]}}]}}]}}]} as unknown as DocumentNode<TranscriptQuery, TranscriptQueryVariables>;
export const TranscriptReadyDocument = {"kind":"Document","definitions":[{"kind":"OperationDefinition","operation":"subscription","name":{"kind":"Name","value":"TranscriptReady"},"variableDefinitions":[{"kind":"VariableDefinition","variable":{"kind":"Variable","name":{"kind":"Name","value":"videoNo"}},"type":{"kind":"NonNullType","type":{"kind":"NamedType","name":{"kind":"Name","value":"ID"}}}},{"kind":"VariableDefinition","variable":{"kind":"Variable","name":{"kind":"Name","value":"kind"}},"type":{"kind":"NonNullType","type":{"kind":"NamedType","name":{"kind":"Name","value":"TranscriptKind"}}}}],"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"transcriptReady"},"arguments":[{"kind":"Argument","name":{"kind":"Name","value":"videoNo"},"value":{"kind":"Variable","name":{"kind":"Name","value":"videoNo"}}},{"kind":"Argument","name":{"kind":"Name","value":"kind"},"value":{"kind":"Variable","name":{"kind":"Name","value":"kind"}}}],"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"videoNo"}},{"kind":"Field","name":{"kind":"Name","value":"kind"}},{"kind":"Field","name":{"kind":"Name","value":"state"}},{"kind":"Field","name":{"kind":"Name","value":"segments"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"startSeconds"}},{"kind":"Field","name":{"kind":"Name","value":"endSeconds"}},{"kind":"Field","name":{"kind":"Name","value":"text"}}]}}]}}]}}]} as unknown as DocumentNode<TranscriptReadySubscription, TranscriptReadySubscriptionVariables>;
export const UploadVideoFromUrlDocument = {"kind":"Document","definitions":[{"kind":"OperationDefinition","operation":"mutation","name":{"kind":"Name","value":"UploadVideoFromUrl"},"variableDefinitions":[{"kind":"VariableDefinition","variable":{"kind":"Variable","name":{"kind":"Name","value":"url"}},"type":{"kind":"NonNullType","type":{"kind":"NamedType","name":{"kind":"Name","value":"String"}}}},{"kind":"VariableDefinition","variable":{"kind":"Variable","name":{"kind":"Name","value":"metadata"}},"type":{"kind":"NamedType","name":{"kind":"Name","value":"UploadMetadataInput"}}}],"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"uploadVideoFromUrl"},"arguments":[{"kind":"Argument","name":{"kind":"Name","value":"url"},"value":{"kind":"Variable","name":{"kind":"Name","value":"url"}}},{"kind":"Argument","name":{"kind":"Name","value":"metadata"},"value":{"kind":"Variable","name":{"kind":"Name","value":"metadata"}}}],"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"videoNo"}},{"kind":"Field","name":{"kind":"Name","value":"videoName"}},{"kind":"Field","name":{"kind":"Name","value":"status"}}]}}]}}]} as unknown as DocumentNode<UploadVideoFromUrlMutation, UploadVideoFromUrlMutationVariables>;
export const UploadVideoWithMetadataDocument = {"kind":"Document","definitions":[{"kind":"OperationDefinition","operation":"mutation","name":{"kind":"Name","value":"UploadVideoWithMetadata"},"variableDefinitions":[{"kind":"VariableDefinition","variable":{"kind":"Variable","name":{"kind":"Name","value":"file"}},"type":{"kind":"NonNullType","type":{"kind":"NamedType","name":{"kind":"Name","value":"Upload"}}}},{"kind":"VariableDefinition","variable":{"kind":"Variable","name":{"kind":"Name","value":"metadata"}},"type":{"kind":"NamedType","name":{"kind":"Name","value":"UploadMetadataInput"}}}],"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"uploadVideo"},"arguments":[{"kind":"Argument","name":{"kind":"Name","value":"file"},"value":{"kind":"Variable","name":{"kind":"Name","value":"file"}}},{"kind":"Argument","name":{"kind":"Name","value":"metadata"},"value":{"kind":"Variable","name":{"kind":"Name","value":"metadata"}}}],"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"videoNo"}},{"kind":"Field","name":{"kind":"Name","value":"videoName"}},{"kind":"Field","name":{"kind":"Name","value":"status"}}]}}]}}]} as unknown as DocumentNode<UploadVideoWithMetadataMutation, UploadVideoWithMetadataMutationVariables>;
export const ResumableUploadDocument = {"kind":"Document","definitions":[{"kind":"OperationDefinition","operation":"query","name":{"kind":"Name","value":"ResumableUpload"},"variableDefinitions":[{"kind":"VariableDefinition","variable":{"kind":"Variable","name":{"kind":"Name","value":"uploadId"}},"type":{"kind":"NonNullType","type":{"kind":"NamedType","name":{"kind":"Name","value":"ID"}}}}],"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"resumableUpload"},"arguments":[{"kind":"Argument","name":{"kind":"Name","value":"uploadId"},"value":{"kind":"Variable","name":{"kind":"Name","value":"uploadId"}}}],"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"FragmentSpread","name":{"kind":"Name","value":"ResumableUploadFields"}},{"kind":"Field","name":{"kind":"Name","value":"video"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"videoNo"}},{"kind":"Field","name":{"kind":"Name","value":"videoName"}},{"kind":"Field","name":{"kind":"Name","value":"status"}}]}}]}}]}},{"kind":"FragmentDefinition","name":{"kind":"Name","value":"ResumableUploadFields"},"typeCondition":{"kind":"NamedType","name":{"kind":"Name","value":"ResumableUpload"}},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"uploadId"}},{"kind":"Field","name":{"kind":"Name","value":"fileName"}},{"kind":"Field","name":{"kind":"Name","value":"state"}},{"kind":"Field","name":{"kind":"Name","value":"length"}},{"kind":"Field","name":{"kind":"Name","value":"offset"}},{"kind":"Field","name":{"kind":"Name","value":"bytesForwarded"}},{"kind":"Field","name":{"kind":"Name","value":"attempts"}},{"kind":"Field","name":{"kind":"Name","value":"errorCode"}},{"kind":"Field","name":{"kind":"Name","value":"errorMessage"}},{"kind":"Field","name":{"kind":"Name","value":"videoNo"}},{"kind":"Field","name":{"kind":"Name","value":"expiresAt"}}]}}]} as unknown as DocumentNode<ResumableUploadQuery, ResumableUploadQueryVariables>;
export const ResumableUploadProgressDocument = {"kind":"Document","definitions":[{"kind":"OperationDefinition","operation":"subscription","name":{"kind":"Name","value":"ResumableUploadProgress"},"variableDefinitions":[{"kind":"VariableDefinition","variable":{"kind":"Variable","name":{"kind":"Name","value":"uploadId"}},"type":{"kind":"NonNullType","type":{"kind":"NamedType","name":{"kind":"Name","value":"ID"}}}}],"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"resumableUploadProgress"},"arguments":[{"kind":"Argument","name":{"kind":"Name","value":"uploadId"},"value":{"kind":"Variable","name":{"kind":"Name","value":"uploadId"}}}],"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"FragmentSpread","name":{"kind":"Name","value":"ResumableUploadFields"}}]}}]}},{"kind":"FragmentDefinition","name":{"kind":"Name","value":"ResumableUploadFields"},"typeCondition":{"kind":"NamedType","name":{"kind":"Name","value":"ResumableUpload"}},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"uploadId"}},{"kind":"Field","name":{"kind":"Name","value":"fileName"}},{"kind":"Field","name":{"kind":"Name","value":"state"}},{"kind":"Field","name":{"kind":"Name","value":"length"}},{"kind":"Field","name":{"kind":"Name","value":"offset"}},{"kind":"Field","name":{"kind":"Name","value":"bytesForwarded"}},{"kind":"Field","name":{"kind":"Name","value":"attempts"}},{"kind":"Field","name":{"kind":"Name","value":"errorCode"}},{"kind":"Field","name":{"kind":"Name","value":"errorMessage"}},{"kind":"Field","name":{"kind":"Name","value":"videoNo"}},{"kind":"Field","name":{"kind":"Name","value":"expiresAt"}}]}}]} as unknown as DocumentNode<ResumableUploadProgressSubscription, ResumableUploadProgressSubscriptionVariables>;
export const VideoIdDocument = {"kind":"Document","definitions":[{"kind":"OperationDefinition","operation":"query","name":{"kind":"Name","value":"VideoId"},"variableDefinitions":[{"kind":"VariableDefinition","variable":{"kind":"Variable","name":{"kind":"Name","value":"videoNo"}},"type":{"kind":"NonNullType","type":{"kind":"NamedType","name":{"kind":"Name","value":"ID"}}}}],"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"video"},"arguments":[{"kind":"Argument","name":{"kind":"Name","value":"videoNo"},"value":{"kind":"Variable","name":{"kind":"Name","value":"videoNo"}}}],"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"id"}},{"kind":"Field","name":{"kind":"Name","value":"videoNo"}}]}}]}}]} as unknown as DocumentNode<VideoIdQuery, VideoIdQueryVariables>;
export const ResumableUploadIdDocument = {"kind":"Document","definitions":[{"kind":"OperationDefinition","operation":"query","name":{"kind":"Name","value":"ResumableUploadId"},"variableDefinitions":[{"kind":"VariableDefinition","variable":{"kind":"Variable","name":{"kind":"Name","value":"uploadId"}},"type":{"kind":"NonNullType","type":{"kind":"NamedType","name":{"kind":"Name","value":"ID"}}}}],"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"resumableUpload"},"arguments":[{"kind":"Argument","name":{"kind":"Name","value":"uploadId"},"value":{"kind":"Variable","name":{"kind":"Name","value":"uploadId"}}}],"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"id"}},{"kind":"Field","name":{"kind":"Name","value":"uploadId"}}]}}]}}]} as unknown as DocumentNode<ResumableUploadIdQuery, ResumableUploadIdQueryVariables>;
export const NodeDocument = {"kind":"Document","definitions":[{"kind":"OperationDefinition","operation":"query","name":{"kind":"Name","value":"Node"},"variableDefinitions":[{"kind":"VariableDefinition","variable":{"kind":"Variable","name":{"kind":"Name","value":"id"}},"type":{"kind":"NonNullType","type":{"kind":"NamedType","name":{"kind":"Name","value":"ID"}}}}],"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"node"},"arguments":[{"kind":"Argument","name":{"kind":"Name","value":"id"},"value":{"kind":"Variable","name":{"kind":"Name","value":"id"}}}],"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"__typename"}},{"kind":"Field","name":{"kind":"Name","value":"id"}},{"kind":"InlineFragment","typeCondition":{"kind":"NamedType","name":{"kind":"Name","value":"Video"}},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"videoNo"}},{"kind":"Field","name":{"kind":"Name","value":"videoName"}}]}},{"kind":"InlineFragment","typeCondition":{"kind":"NamedType","name":{"kind":"Name","value":"ResumableUpload"}},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"uploadId"}},{"kind":"Field","name":{"kind":"Name","value":"state"}}]}}]}}]}}]} as unknown as DocumentNode<NodeQuery, NodeQueryVariables>;
export const VideosAndSearchDocument = {"kind":"Document","definitions":[{"kind":"OperationDefinition","operation":"query","name":{"kind":"Name","value":"VideosAndSearch"},"variableDefinitions":[{"kind":"VariableDefinition","variable":{"kind":"Variable","name":{"kind":"Name","value":"query"}},"type":{"kind":"NonNullType","type":{"kind":"NamedType","name":{"kind":"Name","value":"String"}}}}],"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"videos"},"arguments":[{"kind":"Argument","name":{"kind":"Name","value":"first"},"value":{"kind":"IntValue","value":"5"}}],"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"nodes"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"videoNo"}}]}}]}},{"kind":"Field","name":{"kind":"Name","value":"searchVideos"},"arguments":[{"kind":"Argument","name":{"kind":"Name","value":"query"},"value":{"kind":"Variable","name":{"kind":"Name","value":"query"}}},{"kind":"Argument","name":{"kind":"Name","value":"first"},"value":{"kind":"IntValue","value":"5"}}],"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"video"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"videoNo"}}]}}]}}]}}]} as unknown as DocumentNode<VideosAndSearchQuery, VideosAndSearchQueryVariables>;
export const VideoEventsDocument = {"kind":"Document","definitions":[{"kind":"OperationDefinition","operation":"subscription","name":{"kind":"Name","value":"VideoEvents"},"variableDefinitions":[{"kind":"VariableDefinition","variable":{"kind":"Variable","name":{"kind":"Name","value":"after"}},"type":{"kind":"NamedType","name":{"kind":"Name","value":"String"}}}],"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"videoEvents"},"arguments":[{"kind":"Argument","name":{"kind":"Name","value":"after"},"value":{"kind":"Variable","name":{"kind":"Name","value":"after"}}}],"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"cursor"}},{"kind":"Field","name":{"kind":"Name","value":"type"}},{"kind":"Field","name":{"kind":"Name","value":"videoNo"}},{"kind":"Field","name":{"kind":"Name","value":"status"}},{"kind":"Field","name":{"kind":"Name","value":"previousStatus"}},{"kind":"Field","name":{"kind":"Name","value":"video"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"videoNo"}},{"kind":"Field","name":{"kind":"Name","value":"owner"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"user"}},{"kind":"Field","name":{"kind":"Name","value":"key"}}]}}]}}]}}]}}]} as unknown as DocumentNode<VideoEventsSubscription, VideoEventsSubscriptionVariables>;
export const EraseOwnerDocument = {"kind":"Document","definitions":[{"kind":"OperationDefinition","operation":"mutation","name":{"kind":"Name","value":"EraseOwner"},"variableDefinitions":[{"kind":"VariableDefinition","variable":{"kind":"Variable","name":{"kind":"Name","value":"owner"}},"type":{"kind":"NonNullType","type":{"kind":"NamedType","name":{"kind":"Name","value":"OwnerInput"}}}}],"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"eraseOwner"},"arguments":[{"kind":"Argument","name":{"kind":"Name","value":"owner"},"value":{"kind":"Variable","name":{"kind":"Name","value":"owner"}}}],"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"id"}},{"kind":"Field","name":{"kind":"Name","value":"state"}},{"kind":"Field","name":{"kind":"Name","value":"videosDeleted"}},{"kind":"Field","name":{"kind":"Name","value":"deletedVideoNos"}},{"kind":"Field","name":{"kind":"Name","value":"refusedVideoNos"}},{"kind":"Field","name":{"kind":"Name","value":"owner"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"user"}},{"kind":"Field","name":{"kind":"Name","value":"tenant"}},{"kind":"Field","name":{"kind":"Name","value":"key"}}]}}]}}]}}]} as unknown as DocumentNode<EraseOwnerMutation, EraseOwnerMutationVariables>;
export const ErasureDocument = {"kind":"Document","definitions":[{"kind":"OperationDefinition","operation":"query","name":{"kind":"Name","value":"Erasure"},"variableDefinitions":[{"kind":"VariableDefinition","variable":{"kind":"Variable","name":{"kind":"Name","value":"id"}},"type":{"kind":"NonNullType","type":{"kind":"NamedType","name":{"kind":"Name","value":"ID"}}}}],"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"erasure"},"arguments":[{"kind":"Argument","name":{"kind":"Name","value":"id"},"value":{"kind":"Variable","name":{"kind":"Name","value":"id"}}}],"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"id"}},{"kind":"Field","name":{"kind":"Name","value":"state"}},{"kind":"Field","name":{"kind":"Name","value":"videosDeleted"}},{"kind":"Field","name":{"kind":"Name","value":"deletedVideoNos"}},{"kind":"Field","name":{"kind":"Name","value":"stagedUploadsDeleted"}},{"kind":"Field","name":{"kind":"Name","value":"chatSessionsDeleted"}}]}}]}}]} as unknown as DocumentNode<ErasureQuery, ErasureQueryVariables>;
export const WebhookEndpointsDocument = {"kind":"Document","definitions":[{"kind":"OperationDefinition","operation":"query","name":{"kind":"Name","value":"WebhookEndpoints"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"webhookEndpoints"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"FragmentSpread","name":{"kind":"Name","value":"WebhookEndpointFields"}}]}}]}},{"kind":"FragmentDefinition","name":{"kind":"Name","value":"WebhookEndpointFields"},"typeCondition":{"kind":"NamedType","name":{"kind":"Name","value":"WebhookEndpoint"}},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"id"}},{"kind":"Field","name":{"kind":"Name","value":"url"}},{"kind":"Field","name":{"kind":"Name","value":"eventTypes"}},{"kind":"Field","name":{"kind":"Name","value":"description"}},{"kind":"Field","name":{"kind":"Name","value":"configured"}},{"kind":"Field","name":{"kind":"Name","value":"enabled"}},{"kind":"Field","name":{"kind":"Name","value":"disabledReason"}},{"kind":"Field","name":{"kind":"Name","value":"createdAt"}},{"kind":"Field","name":{"kind":"Name","value":"createdBy"}},{"kind":"Field","name":{"kind":"Name","value":"previousSecretExpiresAt"}}]}}]} as unknown as DocumentNode<WebhookEndpointsQuery, WebhookEndpointsQueryVariables>;
export const WebhookDeliveriesDocument = {"kind":"Document","definitions":[{"kind":"OperationDefinition","operation":"query","name":{"kind":"Name","value":"WebhookDeliveries"},"variableDefinitions":[{"kind":"VariableDefinition","variable":{"kind":"Variable","name":{"kind":"Name","value":"id"}},"type":{"kind":"NonNullType","type":{"kind":"NamedType","name":{"kind":"Name","value":"ID"}}}},{"kind":"VariableDefinition","variable":{"kind":"Variable","name":{"kind":"Name","value":"first"}},"type":{"kind":"NamedType","name":{"kind":"Name","value":"Int"}}}],"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"webhookEndpoint"},"arguments":[{"kind":"Argument","name":{"kind":"Name","value":"id"},"value":{"kind":"Variable","name":{"kind":"Name","value":"id"}}}],"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"id"}},{"kind":"Field","name":{"kind":"Name","value":"deliveries"},"arguments":[{"kind":"Argument","name":{"kind":"Name","value":"first"},"value":{"kind":"Variable","name":{"kind":"Name","value":"first"}}}],"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"eventId"}},{"kind":"Field","name":{"kind":"Name","value":"type"}},{"kind":"Field","name":{"kind":"Name","value":"state"}},{"kind":"Field","name":{"kind":"Name","value":"payload"}},{"kind":"Field","name":{"kind":"Name","value":"createdAt"}},{"kind":"Field","name":{"kind":"Name","value":"nextAttemptAt"}},{"kind":"Field","name":{"kind":"Name","value":"attempts"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"at"}},{"kind":"Field","name":{"kind":"Name","value":"status"}},{"kind":"Field","name":{"kind":"Name","value":"error"}}]}}]}}]}}]}}]} as unknown as DocumentNode<WebhookDeliveriesQuery, WebhookDeliveriesQueryVariables>;
export const CreateWebhookEndpointDocument = {"kind":"Document","definitions":[{"kind":"OperationDefinition","operation":"mutation","name":{"kind":"Name","value":"CreateWebhookEndpoint"},"variableDefinitions":[{"kind":"VariableDefinition","variable":{"kind":"Variable","name":{"kind":"Name","value":"input"}},"type":{"kind":"NonNullType","type":{"kind":"NamedType","name":{"kind":"Name","value":"WebhookEndpointInput"}}}}],"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"createWebhookEndpoint"},"arguments":[{"kind":"Argument","name":{"kind":"Name","value":"input"},"value":{"kind":"Variable","name":{"kind":"Name","value":"input"}}}],"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"secret"}},{"kind":"Field","name":{"kind":"Name","value":"endpoint"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"FragmentSpread","name":{"kind":"Name","value":"WebhookEndpointFields"}}]}}]}}]}},{"kind":"FragmentDefinition","name":{"kind":"Name","value":"WebhookEndpointFields"},"typeCondition":{"kind":"NamedType","name":{"kind":"Name","value":"WebhookEndpoint"}},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"id"}},{"kind":"Field","name":{"kind":"Name","value":"url"}},{"kind":"Field","name":{"kind":"Name","value":"eventTypes"}},{"kind":"Field","name":{"kind":"Name","value":"description"}},{"kind":"Field","name":{"kind":"Name","value":"configured"}},{"kind":"Field","name":{"kind":"Name","value":"enabled"}},{"kind":"Field","name":{"kind":"Name","value":"disabledReason"}},{"kind":"Field","name":{"kind":"Name","value":"createdAt"}},{"kind":"Field","name":{"kind":"Name","value":"createdBy"}},{"kind":"Field","name":{"kind":"Name","value":"previousSecretExpiresAt"}}]}}]} as unknown as DocumentNode<CreateWebhookEndpointMutation, CreateWebhookEndpointMutationVariables>;
export const UpdateWebhookEndpointDocument = {"kind":"Document","definitions":[{"kind":"OperationDefinition","operation":"mutation","name":{"kind":"Name","value":"UpdateWebhookEndpoint"},"variableDefinitions":[{"kind":"VariableDefinition","variable":{"kind":"Variable","name":{"kind":"Name","value":"id"}},"type":{"kind":"NonNullType","type":{"kind":"NamedType","name":{"kind":"Name","value":"ID"}}}},{"kind":"VariableDefinition","variable":{"kind":"Variable","name":{"kind":"Name","value":"input"}},"type":{"kind":"NamedType","name":{"kind":"Name","value":"WebhookEndpointInput"}}},{"kind":"VariableDefinition","variable":{"kind":"Variable","name":{"kind":"Name","value":"enabled"}},"type":{"kind":"NamedType","name":{"kind":"Name","value":"Boolean"}}}],"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"updateWebhookEndpoint"},"arguments":[{"kind":"Argument","name":{"kind":"Name","value":"id"},"value":{"kind":"Variable","name":{"kind":"Name","value":"id"}}},{"kind":"Argument","name":{"kind":"Name","value":"input"},"value":{"kind":"Variable","name":{"kind":"Name","value":"input"}}},{"kind":"Argument","name":{"kind":"Name","value":"enabled"},"value":{"kind":"Variable","name":{"kind":"Name","value":"enabled"}}}],"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"FragmentSpread","name":{"kind":"Name","value":"WebhookEndpointFields"}}]}}]}},{"kind":"FragmentDefinition","name":{"kind":"Name","value":"WebhookEndpointFields"},"typeCondition":{"kind":"NamedType","name":{"kind":"Name","value":"WebhookEndpoint"}},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"id"}},{"kind":"Field","name":{"kind":"Name","value":"url"}},{"kind":"Field","name":{"kind":"Name","value":"eventTypes"}},{"kind":"Field","name":{"kind":"Name","value":"description"}},{"kind":"Field","name":{"kind":"Name","value":"configured"}},{"kind":"Field","name":{"kind":"Name","value":"enabled"}},{"kind":"Field","name":{"kind":"Name","value":"disabledReason"}},{"kind":"Field","name":{"kind":"Name","value":"createdAt"}},{"kind":"Field","name":{"kind":"Name","value":"createdBy"}},{"kind":"Field","name":{"kind":"Name","value":"previousSecretExpiresAt"}}]}}]} as unknown as DocumentNode<UpdateWebhookEndpointMutation, UpdateWebhookEndpointMutationVariables>;
export const DeleteWebhookEndpointDocument = {"kind":"Document","definitions":[{"kind":"OperationDefinition","operation":"mutation","name":{"kind":"Name","value":"DeleteWebhookEndpoint"},"variableDefinitions":[{"kind":"VariableDefinition","variable":{"kind":"Variable","name":{"kind":"Name","value":"id"}},"type":{"kind":"NonNullType","type":{"kind":"NamedType","name":{"kind":"Name","value":"ID"}}}}],"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"deleteWebhookEndpoint"},"arguments":[{"kind":"Argument","name":{"kind":"Name","value":"id"},"value":{"kind":"Variable","name":{"kind":"Name","value":"id"}}}]}]}}]} as unknown as DocumentNode<DeleteWebhookEndpointMutation, DeleteWebhookEndpointMutationVariables>;
export const RotateWebhookSecretDocument = {"kind":"Document","definitions":[{"kind":"OperationDefinition","operation":"mutation","name":{"kind":"Name","value":"RotateWebhookSecret"},"variableDefinitions":[{"kind":"VariableDefinition","variable":{"kind":"Variable","name":{"kind":"Name","value":"id"}},"type":{"kind":"NonNullType","type":{"kind":"NamedType","name":{"kind":"Name","value":"ID"}}}},{"kind":"VariableDefinition","variable":{"kind":"Variable","name":{"kind":"Name","value":"previousSecretValidSeconds"}},"type":{"kind":"NamedType","name":{"kind":"Name","value":"Int"}}}],"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"rotateWebhookSecret"},"arguments":[{"kind":"Argument","name":{"kind":"Name","value":"id"},"value":{"kind":"Variable","name":{"kind":"Name","value":"id"}}},{"kind":"Argument","name":{"kind":"Name","value":"previousSecretValidSeconds"},"value":{"kind":"Variable","name":{"kind":"Name","value":"previousSecretValidSeconds"}}}],"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"secret"}},{"kind":"Field","name":{"kind":"Name","value":"endpoint"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"FragmentSpread","name":{"kind":"Name","value":"WebhookEndpointFields"}}]}}]}}]}},{"kind":"FragmentDefinition","name":{"kind":"Name","value":"WebhookEndpointFields"},"typeCondition":{"kind":"NamedType","name":{"kind":"Name","value":"WebhookEndpoint"}},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"id"}},{"kind":"Field","name":{"kind":"Name","value":"url"}},{"kind":"Field","name":{"kind":"Name","value":"eventTypes"}},{"kind":"Field","name":{"kind":"Name","value":"description"}},{"kind":"Field","name":{"kind":"Name","value":"configured"}},{"kind":"Field","name":{"kind":"Name","value":"enabled"}},{"kind":"Field","name":{"kind":"Name","value":"disabledReason"}},{"kind":"Field","name":{"kind":"Name","value":"createdAt"}},{"kind":"Field","name":{"kind":"Name","value":"createdBy"}},{"kind":"Field","name":{"kind":"Name","value":"previousSecretExpiresAt"}}]}}]} as unknown as DocumentNode<RotateWebhookSecretMutation, RotateWebhookSecretMutationVariables>;
export const SendTestWebhookDocument = {"kind":"Document","definitions":[{"kind":"OperationDefinition","operation":"mutation","name":{"kind":"Name","value":"SendTestWebhook"},"variableDefinitions":[{"kind":"VariableDefinition","variable":{"kind":"Variable","name":{"kind":"Name","value":"id"}},"type":{"kind":"NonNullType","type":{"kind":"NamedType","name":{"kind":"Name","value":"ID"}}}}],"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"sendTestWebhook"},"arguments":[{"kind":"Argument","name":{"kind":"Name","value":"id"},"value":{"kind":"Variable","name":{"kind":"Name","value":"id"}}}]}]}}]} as unknown as DocumentNode<SendTestWebhookMutation, SendTestWebhookMutationVariables>;
export const RedeliverWebhookDocument = {"kind":"Document","definitions":[{"kind":"OperationDefinition","operation":"mutation","name":{"kind":"Name","value":"RedeliverWebhook"},"variableDefinitions":[{"kind":"VariableDefinition","variable":{"kind":"Variable","name":{"kind":"Name","value":"endpointId"}},"type":{"kind":"NonNullType","type":{"kind":"NamedType","name":{"kind":"Name","value":"ID"}}}},{"kind":"VariableDefinition","variable":{"kind":"Variable","name":{"kind":"Name","value":"eventId"}},"type":{"kind":"NonNullType","type":{"kind":"NamedType","name":{"kind":"Name","value":"ID"}}}}],"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"redeliverWebhook"},"arguments":[{"kind":"Argument","name":{"kind":"Name","value":"endpointId"},"value":{"kind":"Variable","name":{"kind":"Name","value":"endpointId"}}},{"kind":"Argument","name":{"kind":"Name","value":"eventId"},"value":{"kind":"Variable","name":{"kind":"Name","value":"eventId"}}}],"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"eventId"}},{"kind":"Field","name":{"kind":"Name","value":"state"}}]}}]}}]} as unknown as DocumentNode<RedeliverWebhookMutation, RedeliverWebhookMutationVariables>;
export const UploadImageDocument = {"kind":"Document","definitions":[{"kind":"OperationDefinition","operation":"mutation","name":{"kind":"Name","value":"UploadImage"},"variableDefinitions":[{"kind":"VariableDefinition","variable":{"kind":"Variable","name":{"kind":"Name","value":"file"}},"type":{"kind":"NonNullType","type":{"kind":"NamedType","name":{"kind":"Name","value":"Upload"}}}}],"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"uploadImage"},"arguments":[{"kind":"Argument","name":{"kind":"Name","value":"file"},"value":{"kind":"Variable","name":{"kind":"Name","value":"file"}}}],"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"imageId"}},{"kind":"Field","name":{"kind":"Name","value":"name"}},{"kind":"Field","name":{"kind":"Name","value":"contentType"}},{"kind":"Field","name":{"kind":"Name","value":"size"}},{"kind":"Field","name":{"kind":"Name","value":"uploadedAt"}}]}}]}}]} as unknown as DocumentNode<UploadImageMutation, UploadImageMutationVariables>;
export const ImagesDocument = {"kind":"Document","definitions":[{"kind":"OperationDefinition","operation":"query","name":{"kind":"Name","value":"Images"},"variableDefinitions":[{"kind":"VariableDefinition","variable":{"kind":"Variable","name":{"kind":"Name","value":"first"}},"type":{"kind":"NamedType","name":{"kind":"Name","value":"Int"}}},{"kind":"VariableDefinition","variable":{"kind":"Variable","name":{"kind":"Name","value":"after"}},"type":{"kind":"NamedType","name":{"kind":"Name","value":"String"}}}],"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"images"},"arguments":[{"kind":"Argument","name":{"kind":"Name","value":"first"},"value":{"kind":"Variable","name":{"kind":"Name","value":"first"}}},{"kind":"Argument","name":{"kind":"Name","value":"after"},"value":{"kind":"Variable","name":{"kind":"Name","value":"after"}}}],"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"nodes"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"imageId"}},{"kind":"Field","name":{"kind":"Name","value":"name"}}]}},{"kind":"Field","name":{"kind":"Name","value":"pageInfo"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"hasNextPage"}},{"kind":"Field","name":{"kind":"Name","value":"endCursor"}}]}}]}}]}}]} as unknown as DocumentNode<ImagesQuery, ImagesQueryVariables>;
export const DeleteImagesDocument = {"kind":"Document","definitions":[{"kind":"OperationDefinition","operation":"mutation","name":{"kind":"Name","value":"DeleteImages"},"variableDefinitions":[{"kind":"VariableDefinition","variable":{"kind":"Variable","name":{"kind":"Name","value":"imageIds"}},"type":{"kind":"NonNullType","type":{"kind":"ListType","type":{"kind":"NonNullType","type":{"kind":"NamedType","name":{"kind":"Name","value":"ID"}}}}}}],"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"deleteImages"},"arguments":[{"kind":"Argument","name":{"kind":"Name","value":"imageIds"},"value":{"kind":"Variable","name":{"kind":"Name","value":"imageIds"}}}],"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"deleted"}}]}}]}}]} as unknown as DocumentNode<DeleteImagesMutation, DeleteImagesMutationVariables>;
export const SearchImagesByTextDocument = {"kind":"Document","definitions":[{"kind":"OperationDefinition","operation":"query","name":{"kind":"Name","value":"SearchImagesByText"},"variableDefinitions":[{"kind":"VariableDefinition","variable":{"kind":"Variable","name":{"kind":"Name","value":"query"}},"type":{"kind":"NonNullType","type":{"kind":"NamedType","name":{"kind":"Name","value":"String"}}}},{"kind":"VariableDefinition","variable":{"kind":"Variable","name":{"kind":"Name","value":"first"}},"type":{"kind":"NamedType","name":{"kind":"Name","value":"Int"}}}],"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"searchImages"},"arguments":[{"kind":"Argument","name":{"kind":"Name","value":"query"},"value":{"kind":"Variable","name":{"kind":"Name","value":"query"}}},{"kind":"Argument","name":{"kind":"Name","value":"first"},"value":{"kind":"Variable","name":{"kind":"Name","value":"first"}}}],"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"image"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"imageId"}},{"kind":"Field","name":{"kind":"Name","value":"name"}}]}},{"kind":"Field","name":{"kind":"Name","value":"score"}}]}}]}}]} as unknown as DocumentNode<SearchImagesByTextQuery, SearchImagesByTextQueryVariables>;
export const SearchImagesByPictureDocument = {"kind":"Document","definitions":[{"kind":"OperationDefinition","operation":"query","name":{"kind":"Name","value":"SearchImagesByPicture"},"variableDefinitions":[{"kind":"VariableDefinition","variable":{"kind":"Variable","name":{"kind":"Name","value":"file"}},"type":{"kind":"NonNullType","type":{"kind":"NamedType","name":{"kind":"Name","value":"Upload"}}}},{"kind":"VariableDefinition","variable":{"kind":"Variable","name":{"kind":"Name","value":"minSimilarity"}},"type":{"kind":"NamedType","name":{"kind":"Name","value":"Float"}}}],"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"searchImages"},"arguments":[{"kind":"Argument","name":{"kind":"Name","value":"file"},"value":{"kind":"Variable","name":{"kind":"Name","value":"file"}}},{"kind":"Argument","name":{"kind":"Name","value":"minSimilarity"},"value":{"kind":"Variable","name":{"kind":"Name","value":"minSimilarity"}}}],"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"image"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"imageId"}},{"kind":"Field","name":{"kind":"Name","value":"name"}}]}},{"kind":"Field","name":{"kind":"Name","value":"score"}}]}}]}}]} as unknown as DocumentNode<SearchImagesByPictureQuery, SearchImagesByPictureQueryVariables>;
export const SearchClipsByImageDocument = {"kind":"Document","definitions":[{"kind":"OperationDefinition","operation":"query","name":{"kind":"Name","value":"SearchClipsByImage"},"variableDefinitions":[{"kind":"VariableDefinition","variable":{"kind":"Variable","name":{"kind":"Name","value":"file"}},"type":{"kind":"NonNullType","type":{"kind":"NamedType","name":{"kind":"Name","value":"Upload"}}}},{"kind":"VariableDefinition","variable":{"kind":"Variable","name":{"kind":"Name","value":"videoNos"}},"type":{"kind":"NonNullType","type":{"kind":"ListType","type":{"kind":"NonNullType","type":{"kind":"NamedType","name":{"kind":"Name","value":"ID"}}}}}},{"kind":"VariableDefinition","variable":{"kind":"Variable","name":{"kind":"Name","value":"prompt"}},"type":{"kind":"NonNullType","type":{"kind":"NamedType","name":{"kind":"Name","value":"String"}}}}],"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"searchClipsByImage"},"arguments":[{"kind":"Argument","name":{"kind":"Name","value":"file"},"value":{"kind":"Variable","name":{"kind":"Name","value":"file"}}},{"kind":"Argument","name":{"kind":"Name","value":"videoNos"},"value":{"kind":"Variable","name":{"kind":"Name","value":"videoNos"}}},{"kind":"Argument","name":{"kind":"Name","value":"prompt"},"value":{"kind":"Variable","name":{"kind":"Name","value":"prompt"}}}],"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"videoNo"}},{"kind":"Field","name":{"kind":"Name","value":"startTime"}},{"kind":"Field","name":{"kind":"Name","value":"endTime"}},{"kind":"Field","name":{"kind":"Name","value":"score"}},{"kind":"Field","name":{"kind":"Name","value":"video"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"videoName"}}]}}]}}]}}]} as unknown as DocumentNode<SearchClipsByImageQuery, SearchClipsByImageQueryVariables>;
export const StartLiveAnalysisDocument = {"kind":"Document","definitions":[{"kind":"OperationDefinition","operation":"mutation","name":{"kind":"Name","value":"StartLiveAnalysis"},"variableDefinitions":[{"kind":"VariableDefinition","variable":{"kind":"Variable","name":{"kind":"Name","value":"streamUrl"}},"type":{"kind":"NonNullType","type":{"kind":"NamedType","name":{"kind":"Name","value":"String"}}}},{"kind":"VariableDefinition","variable":{"kind":"Variable","name":{"kind":"Name","value":"prompt"}},"type":{"kind":"NonNullType","type":{"kind":"NamedType","name":{"kind":"Name","value":"String"}}}},{"kind":"VariableDefinition","variable":{"kind":"Variable","name":{"kind":"Name","value":"systemPrompt"}},"type":{"kind":"NamedType","name":{"kind":"Name","value":"String"}}}],"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"startLiveAnalysis"},"arguments":[{"kind":"Argument","name":{"kind":"Name","value":"streamUrl"},"value":{"kind":"Variable","name":{"kind":"Name","value":"streamUrl"}}},{"kind":"Argument","name":{"kind":"Name","value":"prompt"},"value":{"kind":"Variable","name":{"kind":"Name","value":"prompt"}}},{"kind":"Argument","name":{"kind":"Name","value":"systemPrompt"},"value":{"kind":"Variable","name":{"kind":"Name","value":"systemPrompt"}}}],"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"id"}},{"kind":"Field","name":{"kind":"Name","value":"state"}},{"kind":"Field","name":{"kind":"Name","value":"startedAt"}}]}}]}}]} as unknown as DocumentNode<StartLiveAnalysisMutation, StartLiveAnalysisMutationVariables>;
export const StopLiveAnalysisDocument = {"kind":"Document","definitions":[{"kind":"OperationDefinition","operation":"mutation","name":{"kind":"Name","value":"StopLiveAnalysis"},"variableDefinitions":[{"kind":"VariableDefinition","variable":{"kind":"Variable","name":{"kind":"Name","value":"id"}},"type":{"kind":"NonNullType","type":{"kind":"NamedType","name":{"kind":"Name","value":"ID"}}}}],"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"stopLiveAnalysis"},"arguments":[{"kind":"Argument","name":{"kind":"Name","value":"id"},"value":{"kind":"Variable","name":{"kind":"Name","value":"id"}}}],"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"id"}},{"kind":"Field","name":{"kind":"Name","value":"state"}},{"kind":"Field","name":{"kind":"Name","value":"stoppedAt"}},{"kind":"Field","name":{"kind":"Name","value":"stopReason"}}]}}]}}]} as unknown as DocumentNode<StopLiveAnalysisMutation, StopLiveAnalysisMutationVariables>;
export const LiveAnalysisDocument = {"kind":"Document","definitions":[{"kind":"OperationDefinition","operation":"subscription","name":{"kind":"Name","value":"LiveAnalysis"},"variableDefinitions":[{"kind":"VariableDefinition","variable":{"kind":"Variable","name":{"kind":"Name","value":"id"}},"type":{"kind":"NonNullType","type":{"kind":"NamedType","name":{"kind":"Name","value":"ID"}}}}],"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"liveAnalysis"},"arguments":[{"kind":"Argument","name":{"kind":"Name","value":"id"},"value":{"kind":"Variable","name":{"kind":"Name","value":"id"}}}],"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"analysisId"}},{"kind":"Field","name":{"kind":"Name","value":"state"}},{"kind":"Field","name":{"kind":"Name","value":"text"}},{"kind":"Field","name":{"kind":"Name","value":"at"}},{"kind":"Field","name":{"kind":"Name","value":"raw"}},{"kind":"Field","name":{"kind":"Name","value":"stopReason"}}]}}]}}]} as unknown as DocumentNode<LiveAnalysisSubscription, LiveAnalysisSubscriptionVariables>;