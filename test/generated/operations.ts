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
  /** A file sent per the GraphQL multipart request spec (https://github.com/jaydenseric/graphql-multipart-request-spec). Input only. */
  Upload: { input: File; output: File; }
};

/** What deleteVideos did. */
export type DeleteVideosResult = {
  __typename?: 'DeleteVideosResult';
  /** The videos deleted by this call (at MAVI and here). Unknown videos, and videos already deleted, are not listed. */
  deleted: Array<Scalars['ID']['output']>;
};

export type Mutation = {
  __typename?: 'Mutation';
  /** Deletes videos you uploaded, at MAVI and here (at most 100 per call). Their open videoStatus subscriptions end with VIDEO_DELETED. Safe to repeat: a video that is unknown, or already deleted, is skipped. */
  deleteVideos: DeleteVideosResult;
  /** Streams a video file to MAVI (MP4, MOV or MKV; WebM or AVI depending on the MAVI API behind the gateway; h264/h265/vp9). Send it as a GraphQL multipart request; the answer comes once MAVI has the whole file. Follow processing with `videoStatus`. One upload per request. */
  uploadVideo: Video;
};


export type MutationDeleteVideosArgs = {
  videoNos: Array<Scalars['ID']['input']>;
};


export type MutationUploadVideoArgs = {
  file: Scalars['Upload']['input'];
};

/** Reads answered from what the gateway knows about your videos. */
export type Query = {
  __typename?: 'Query';
  /** A video you uploaded, with its last known status; null when no such video is known to you. */
  video: Maybe<Video>;
};


/** Reads answered from what the gateway knows about your videos. */
export type QueryVideoArgs = {
  videoNo: Scalars['ID']['input'];
};

export type Subscription = {
  __typename?: 'Subscription';
  /** The current status of a video you uploaded, then one event per change. Completes right after PARSE or FAIL. Unknown videos fail with VIDEO_NOT_FOUND; a video deleted while followed ends with a VIDEO_DELETED error. */
  videoStatus: VideoStatusEvent;
};


export type SubscriptionVideoStatusArgs = {
  videoNo: Scalars['ID']['input'];
};

/** A video uploaded through this gateway. */
export type Video = {
  __typename?: 'Video';
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
  status: VideoStatus;
  videoNo: Scalars['ID']['output'];
};

export type UploadVideoMutationVariables = Exact<{
  file: Scalars['Upload']['input'];
}>;


export type UploadVideoMutation = { __typename?: 'Mutation', uploadVideo: { __typename?: 'Video', videoNo: string, videoName: string, status: VideoStatus, uploadTime: string, updatedAt: string } };

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


export type DeleteVideosMutation = { __typename?: 'Mutation', deleteVideos: { __typename?: 'DeleteVideosResult', deleted: Array<string> } };


export const UploadVideoDocument = {"kind":"Document","definitions":[{"kind":"OperationDefinition","operation":"mutation","name":{"kind":"Name","value":"UploadVideo"},"variableDefinitions":[{"kind":"VariableDefinition","variable":{"kind":"Variable","name":{"kind":"Name","value":"file"}},"type":{"kind":"NonNullType","type":{"kind":"NamedType","name":{"kind":"Name","value":"Upload"}}}}],"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"uploadVideo"},"arguments":[{"kind":"Argument","name":{"kind":"Name","value":"file"},"value":{"kind":"Variable","name":{"kind":"Name","value":"file"}}}],"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"videoNo"}},{"kind":"Field","name":{"kind":"Name","value":"videoName"}},{"kind":"Field","name":{"kind":"Name","value":"status"}},{"kind":"Field","name":{"kind":"Name","value":"uploadTime"}},{"kind":"Field","name":{"kind":"Name","value":"updatedAt"}}]}}]}}]} as unknown as DocumentNode<UploadVideoMutation, UploadVideoMutationVariables>;
export const VideoDocument = {"kind":"Document","definitions":[{"kind":"OperationDefinition","operation":"query","name":{"kind":"Name","value":"Video"},"variableDefinitions":[{"kind":"VariableDefinition","variable":{"kind":"Variable","name":{"kind":"Name","value":"videoNo"}},"type":{"kind":"NonNullType","type":{"kind":"NamedType","name":{"kind":"Name","value":"ID"}}}}],"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"video"},"arguments":[{"kind":"Argument","name":{"kind":"Name","value":"videoNo"},"value":{"kind":"Variable","name":{"kind":"Name","value":"videoNo"}}}],"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"videoNo"}},{"kind":"Field","name":{"kind":"Name","value":"videoName"}},{"kind":"Field","name":{"kind":"Name","value":"status"}},{"kind":"Field","name":{"kind":"Name","value":"uploadTime"}},{"kind":"Field","name":{"kind":"Name","value":"updatedAt"}}]}}]}}]} as unknown as DocumentNode<VideoQuery, VideoQueryVariables>;
export const VideoStatusDocument = {"kind":"Document","definitions":[{"kind":"OperationDefinition","operation":"subscription","name":{"kind":"Name","value":"VideoStatus"},"variableDefinitions":[{"kind":"VariableDefinition","variable":{"kind":"Variable","name":{"kind":"Name","value":"videoNo"}},"type":{"kind":"NonNullType","type":{"kind":"NamedType","name":{"kind":"Name","value":"ID"}}}}],"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"videoStatus"},"arguments":[{"kind":"Argument","name":{"kind":"Name","value":"videoNo"},"value":{"kind":"Variable","name":{"kind":"Name","value":"videoNo"}}}],"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"videoNo"}},{"kind":"Field","name":{"kind":"Name","value":"status"}},{"kind":"Field","name":{"kind":"Name","value":"receivedAt"}}]}}]}}]} as unknown as DocumentNode<VideoStatusSubscription, VideoStatusSubscriptionVariables>;
export const DeleteVideosDocument = {"kind":"Document","definitions":[{"kind":"OperationDefinition","operation":"mutation","name":{"kind":"Name","value":"DeleteVideos"},"variableDefinitions":[{"kind":"VariableDefinition","variable":{"kind":"Variable","name":{"kind":"Name","value":"videoNos"}},"type":{"kind":"NonNullType","type":{"kind":"ListType","type":{"kind":"NonNullType","type":{"kind":"NamedType","name":{"kind":"Name","value":"ID"}}}}}}],"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"deleteVideos"},"arguments":[{"kind":"Argument","name":{"kind":"Name","value":"videoNos"},"value":{"kind":"Variable","name":{"kind":"Name","value":"videoNos"}}}],"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"deleted"}}]}}]}}]} as unknown as DocumentNode<DeleteVideosMutation, DeleteVideosMutationVariables>;