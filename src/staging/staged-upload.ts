/**
 * A resumable upload, as the gateway keeps track of it from its creation (tus
 * POST) until MAVI has it or refused it for good: whose it is, what it is, and
 * where it stands. The bytes themselves are in the staging store (a tus
 * DataStore); this record is the ledger's: the bounds are counted over it, the
 * forwarding job is claimed from it, and clients read its state.
 *
 * Two ledgers, one contract (test/unit/staging-ledger.test.ts): SQLite under
 * DATA_DIR for one instance, Redis for several.
 */
import type { Owner } from '../identity.js';
import type { StagedUploadState } from './transitions.js';
import type { ErrorCode } from '../errors.js';

export interface StagedUpload extends Owner {
  /** The tus upload id (the last segment of its URL). */
  id: string;
  /** From Upload-Metadata `filename` (or `name`): the video's name in `videos`. */
  fileName: string;
  /** From Upload-Metadata `filetype` (or `type`): what the client says it is. */
  fileType: string;
  /** The app's own text for the video (Upload-Metadata `passthrough`): kept with it, never sent to MAVI. */
  passthrough?: string;
  /** MAVI's upload metadata (tags, capture time…), as JSON; undefined when the client gave none. */
  maviMetadata: string | undefined;
  /** The file's size (Upload-Length): what the bounds count, and what MAVI is told up front. */
  length: number;
  state: StagedUploadState;
  /** Bytes of the file sent to MAVI in the current (or last) attempt. */
  bytesForwarded: number;
  /** Forwarding attempts made so far. */
  attempts: number;
  /** The code of the last failure: a transient one while FORWARDING (it is retried), the final one when FAILED. */
  errorCode: ErrorCode | undefined;
  errorMessage: string | undefined;
  /** MAVI's id of the video, once REGISTERED. */
  videoNo: string | undefined;
  /** When the upload was created (epoch ms). */
  createdAt: number;
  /** RECEIVING: when it expires unfinished; FORWARDING: when retrying stops; REGISTERED, FAILED: when the record goes. */
  expiresAt: number;
  /** FORWARDING: when the job may next be claimed (its next attempt, or the end of another instance's lease). */
  dueAt: number;
}

/** The bounds a new upload must fit in, beside everything already staged. */
export interface StagingBounds {
  maxUploadsPerOwner: number;
  maxBytesPerOwner: number;
  maxBytes: number;
}

/** Which bound a new upload would break. */
export type BrokenBound = 'uploads-per-owner' | 'bytes-per-owner' | 'bytes';

export interface StagingLedger {
  /** Records a new upload, unless it would break a bound: then nothing is recorded and the bound is named. */
  admit(upload: StagedUpload, bounds: StagingBounds): Promise<BrokenBound | undefined>;
  get(id: string): Promise<StagedUpload | undefined>;
  /**
   * Replaces the record (same id, owner and length). Leaving RECEIVING or
   * FORWARDING gives its bytes back to the bounds.
   */
  put(upload: StagedUpload): Promise<void>;
  /**
   * Changes what the record says within its state (progress, activity), if it is still in
   * `state`: the changed record, or undefined when it is gone or has moved on (a late
   * progress report never undoes a transition). `change` keeps the state, the owner and
   * the length; a FORWARDING job's lease is left as it is.
   */
  update(
    id: string,
    state: StagedUploadState,
    change: (current: StagedUpload) => StagedUpload,
  ): Promise<StagedUpload | undefined>;
  /**
   * Claims the FORWARDING job due first (dueAt ≤ now), if any: its dueAt moves
   * to `leaseUntil`, so that no other worker claims it while this one works
   * (or, if this one dies, until then).
   */
  claimDue(now: number, leaseUntil: number): Promise<StagedUpload | undefined>;
  /** Moves a claimed job's dueAt (its lease) on, if the job is still FORWARDING. */
  extendLease(id: string, leaseUntil: number): Promise<void>;
  /** Uploads still RECEIVING whose expiry has passed, at most `limit`. */
  expired(now: number, limit: number): Promise<StagedUpload[]>;
  /** Uploads still RECEIVING, at most `limit` (recovery: one whose last byte arrived before a crash). */
  receiving(limit: number): Promise<StagedUpload[]>;
  /** The owner's uploads still RECEIVING or FORWARDING, at most `limit` (erasure). */
  staged(ownerId: string, limit: number): Promise<StagedUpload[]>;
  /** REGISTERED and FAILED records whose time has come: they are forgotten. */
  forgetFinished(now: number): Promise<void>;
  /** Forgets the upload (termination, expiry), giving its bytes back to the bounds. */
  remove(id: string): Promise<void>;
  close?(): Promise<void>;
}
