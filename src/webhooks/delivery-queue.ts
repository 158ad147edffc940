/**
 * Where the deliveries to an endpoint wait, and what each attempt answered. One interface, two
 * stores: SQLite (its own file beside the status database) for one instance, Redis for several.
 *
 * An endpoint's deliveries come from the event log (status/video-events.ts): `enqueue` adds a
 * batch of events and moves the endpoint's cursor past them in one step, and adding an event
 * that is already queued does nothing, so a crash between reading the log and queueing
 * repeats the batch harmlessly. A delivery is claimed with a lease: with several instances,
 * one sends it; an instance that dies mid-delivery lets the lease lapse, and another sends it
 * again, with the same id.
 */

export interface Delivery {
  endpoint: string;
  /** The event's id: the webhook-id of every attempt. */
  eventId: string;
  /** The exact body every attempt sends. */
  body: string;
  /** Attempts made before this one. */
  attempts: number;
  /** When the event was queued (epoch ms). */
  createdAt: number;
}

/** One attempt, as the delivery's history keeps it. */
export interface Attempt {
  at: number;
  /** The receiver's HTTP status; undefined when no answer came (timeout, network error, refused address). */
  status: number | undefined;
  /** Why it failed, in a few words; undefined for a success. */
  error: string | undefined;
}

export type DeliveryState = 'pending' | 'delivered' | 'failed';

/** A delivery as `deliveries` lists it: what was sent, and what each attempt answered. */
export interface DeliveryRecord {
  eventId: string;
  body: string;
  state: DeliveryState;
  createdAt: number;
  /** When it is due again, while pending. */
  dueAt: number | undefined;
  /** The latest attempts, oldest first. */
  history: Attempt[];
}

/** A secret that signs an endpoint's deliveries; a rotated-out one signs until `expiresAt`. */
export interface SigningSecret {
  secret: string;
  /** Epoch ms; undefined for the current secret. */
  expiresAt: number | undefined;
}

/** An endpoint a service caller made (createWebhookEndpoint); the configured one is not stored. */
export interface EndpointSettings {
  id: string;
  url: string;
  /** The event types it receives; undefined: every type. */
  types: readonly string[] | undefined;
  description: string | undefined;
  secrets: readonly SigningSecret[];
  createdAt: number;
  /** The owner id of the service key that made it (`service:<name>`). */
  createdBy: string;
}

interface EndpointState {
  /** The endpoint's place in the event log; undefined before its first enqueue. */
  cursor: string | undefined;
  /** Why the endpoint was disabled (410, a spent schedule); undefined while it is enabled. */
  disabledReason: string | undefined;
}

interface BacklogStats {
  /** Deliveries not yet delivered nor failed for good. */
  pending: number;
  /** When the oldest of them was queued (epoch ms); undefined when none are. */
  oldestPendingAt: number | undefined;
}

export interface DeliveryQueue {
  endpoint(endpoint: string): Promise<EndpointState>;
  /**
   * Queues these events (each at most once) and sets the endpoint's cursor, in one step; without
   * a cursor (an event that is not in the log, such as owner.erased), the cursor stays.
   */
  enqueue(
    endpoint: string,
    events: readonly { eventId: string; body: string }[],
    cursor: string | undefined,
  ): Promise<void>;
  /** Up to `limit` due deliveries, each leased to the caller until `now + leaseMs`. */
  claim(endpoint: string, now: number, leaseMs: number, limit: number): Promise<Delivery[]>;
  /** Records an attempt: delivered, failed for good, or due again at `nextAt`. */
  record(delivery: Delivery, attempt: Attempt, outcome: { state: DeliveryState; nextAt?: number }): Promise<void>;
  disable(endpoint: string, reason: string): Promise<void>;
  /** Enables a disabled endpoint again; answers why it was disabled, or undefined when it was not. */
  enable(endpoint: string): Promise<string | undefined>;
  backlog(endpoint: string): Promise<BacklogStats>;
  /** Forgets the endpoint's delivered and failed deliveries that ended before `before` (epoch ms). */
  sweep(endpoint: string, before: number): Promise<void>;
  /** Stores a made endpoint's settings (new or changed); its cursor and state stay. */
  saveEndpoint(settings: EndpointSettings): Promise<void>;
  /** Every made endpoint's settings. */
  savedEndpoints(): Promise<EndpointSettings[]>;
  /** Forgets a made endpoint, with every delivery it has. */
  removeEndpoint(endpoint: string): Promise<void>;
  /** The endpoint's latest deliveries, newest first, at most `limit`. */
  deliveries(endpoint: string, limit: number): Promise<DeliveryRecord[]>;
  /**
   * Makes a delivery due again at `now`, with a fresh schedule and the same id (its history
   * stays); answers the delivery as it now stands, or undefined when the endpoint has none such.
   */
  redeliver(endpoint: string, eventId: string, now: number): Promise<DeliveryRecord | undefined>;
  close?(): Promise<void>;
}
