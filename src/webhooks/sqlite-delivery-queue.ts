/** The delivery queue on SQLite (one instance): its own file, webhooks.sqlite, under DATA_DIR. */
import { join } from 'node:path';
import { IN_MEMORY, SqliteFile, type SqliteSynchronous } from '../sqlite/sqlite-file.js';
import type {
  Attempt,
  Delivery,
  DeliveryQueue,
  DeliveryRecord,
  DeliveryState,
  EndpointSettings,
} from './delivery-queue.js';

const WEBHOOK_DATABASE_FILE = 'webhooks.sqlite';

const MIGRATIONS = [
  `
  CREATE TABLE endpoints (
    endpoint        TEXT PRIMARY KEY,
    cursor          TEXT,
    disabled_reason TEXT
  );
  CREATE TABLE deliveries (
    endpoint    TEXT NOT NULL,
    event_id    TEXT NOT NULL,
    body        TEXT NOT NULL,
    created_at  INTEGER NOT NULL,
    attempts    INTEGER NOT NULL DEFAULT 0,
    due_at      INTEGER NOT NULL,
    state       TEXT NOT NULL DEFAULT 'pending',
    history     TEXT NOT NULL DEFAULT '[]',
    finished_at INTEGER,
    leased      INTEGER NOT NULL DEFAULT 0,
    PRIMARY KEY (endpoint, event_id)
  );
  CREATE INDEX deliveries_due ON deliveries (endpoint, due_at) WHERE state = 'pending';
  CREATE INDEX deliveries_finished ON deliveries (finished_at) WHERE state <> 'pending';
  `,
  // 0.4.0: endpoints made through GraphQL keep their settings (JSON); the configured one has none.
  `
  ALTER TABLE endpoints ADD COLUMN settings TEXT;
  CREATE INDEX deliveries_latest ON deliveries (endpoint, created_at);
  `,
];

interface DeliveryRow {
  endpoint: string;
  event_id: string;
  body: string;
  created_at: number;
  attempts: number;
}

interface RecordRow {
  event_id: string;
  body: string;
  state: DeliveryState;
  created_at: number;
  due_at: number;
  history: string;
}

function recordOf(row: RecordRow): DeliveryRecord {
  return {
    eventId: row.event_id,
    body: row.body,
    state: row.state,
    createdAt: row.created_at,
    dueAt: row.state === 'pending' ? row.due_at : undefined,
    history: JSON.parse(row.history) as Attempt[],
  };
}

/** The most attempts a delivery's history keeps (the schedule has ten). */
const HISTORY_LIMIT = 20;

export function openSqliteDeliveryQueue(options: {
  dataDir: string | undefined;
  synchronous: SqliteSynchronous;
  now?: () => number;
}): DeliveryQueue {
  const now = options.now ?? Date.now;
  const file = new SqliteFile({
    path: options.dataDir === undefined ? IN_MEMORY : join(options.dataDir, WEBHOOK_DATABASE_FILE),
    what: 'webhook database',
    synchronous: options.synchronous,
    migrations: MIGRATIONS,
  });
  const { db } = file;
  const sql = {
    endpoint: db.prepare<[string], { cursor: string | null; disabled_reason: string | null }>(
      'SELECT cursor, disabled_reason FROM endpoints WHERE endpoint = ?',
    ),
    setCursor: db.prepare(
      `INSERT INTO endpoints (endpoint, cursor) VALUES (?, ?)
       ON CONFLICT (endpoint) DO UPDATE SET cursor = excluded.cursor`,
    ),
    disable: db.prepare(
      `INSERT INTO endpoints (endpoint, disabled_reason) VALUES (?, ?)
       ON CONFLICT (endpoint) DO UPDATE SET disabled_reason = excluded.disabled_reason`,
    ),
    insert: db.prepare(
      'INSERT OR IGNORE INTO deliveries (endpoint, event_id, body, created_at, due_at) VALUES (?, ?, ?, ?, ?)',
    ),
    due: db.prepare<[string, number, number], DeliveryRow>(
      `SELECT endpoint, event_id, body, created_at, attempts FROM deliveries
       WHERE endpoint = ? AND state = 'pending' AND due_at <= ? ORDER BY due_at LIMIT ?`,
    ),
    lease: db.prepare('UPDATE deliveries SET due_at = ?, leased = 1 WHERE endpoint = ? AND event_id = ?'),
    // This process is the only one: a lease left in the file is a dead process's attempt.
    releaseLeases: db.prepare('UPDATE deliveries SET due_at = ?, leased = 0 WHERE leased = 1'),
    record: db.prepare(
      `UPDATE deliveries SET attempts = attempts + 1, state = ?, due_at = ?, history = ?, finished_at = ?, leased = 0
       WHERE endpoint = ? AND event_id = ?`,
    ),
    history: db.prepare<[string, string], { history: string }>(
      'SELECT history FROM deliveries WHERE endpoint = ? AND event_id = ?',
    ),
    backlog: db.prepare<[string], { pending: number; oldest: number | null }>(
      `SELECT count(*) AS pending, min(created_at) AS oldest FROM deliveries WHERE endpoint = ? AND state = 'pending'`,
    ),
    sweep: db.prepare(`DELETE FROM deliveries WHERE endpoint = ? AND state <> 'pending' AND finished_at < ?`),
    saveSettings: db.prepare(
      `INSERT INTO endpoints (endpoint, settings) VALUES (?, ?)
       ON CONFLICT (endpoint) DO UPDATE SET settings = excluded.settings`,
    ),
    savedSettings: db.prepare<[], { settings: string }>(
      'SELECT settings FROM endpoints WHERE settings IS NOT NULL ORDER BY endpoint',
    ),
    removeDeliveries: db.prepare('DELETE FROM deliveries WHERE endpoint = ?'),
    removeEndpoint: db.prepare('DELETE FROM endpoints WHERE endpoint = ?'),
    latest: db.prepare<[string, number], RecordRow>(
      `SELECT event_id, body, state, created_at, due_at, history FROM deliveries
       WHERE endpoint = ? ORDER BY created_at DESC, rowid DESC LIMIT ?`,
    ),
    one: db.prepare<[string, string], RecordRow>(
      'SELECT event_id, body, state, created_at, due_at, history FROM deliveries WHERE endpoint = ? AND event_id = ?',
    ),
    redeliver: db.prepare(
      `UPDATE deliveries SET state = 'pending', attempts = 0, due_at = ?, finished_at = NULL, leased = 0
       WHERE endpoint = ? AND event_id = ?`,
    ),
  };

  file.runNow(() => sql.releaseLeases.run(now()));

  return {
    async endpoint(endpoint) {
      const row = file.read(() => sql.endpoint.get(endpoint));
      return { cursor: row?.cursor ?? undefined, disabledReason: row?.disabled_reason ?? undefined };
    },

    enqueue: (endpoint, events, cursor) =>
      file.submit(() => {
        const at = now();
        for (const { eventId, body } of events) sql.insert.run(endpoint, eventId, body, at, at);
        if (cursor !== undefined) sql.setCursor.run(endpoint, cursor);
      }),

    claim: (endpoint, at, leaseMs, limit) =>
      file.submit((): Delivery[] =>
        sql.due.all(endpoint, at, limit).map((row) => {
          sql.lease.run(at + leaseMs, endpoint, row.event_id);
          return {
            endpoint,
            eventId: row.event_id,
            body: row.body,
            attempts: row.attempts,
            createdAt: row.created_at,
          };
        }),
      ),

    record: (delivery, attempt, outcome) =>
      file.submit(() => {
        const previous = sql.history.get(delivery.endpoint, delivery.eventId);
        if (!previous) return;
        const history = [...(JSON.parse(previous.history) as Attempt[]), attempt].slice(-HISTORY_LIMIT);
        const finished = outcome.state === 'pending' ? null : attempt.at;
        sql.record.run(
          outcome.state satisfies DeliveryState,
          outcome.nextAt ?? attempt.at,
          JSON.stringify(history),
          finished,
          delivery.endpoint,
          delivery.eventId,
        );
      }),

    enable: (endpoint) =>
      file.submit(() => {
        const reason = sql.endpoint.get(endpoint)?.disabled_reason ?? undefined;
        sql.disable.run(endpoint, null);
        return reason;
      }),

    disable: (endpoint, reason) =>
      file.submit(() => {
        sql.disable.run(endpoint, reason);
      }),

    async backlog(endpoint) {
      const row = file.read(() => sql.backlog.get(endpoint))!;
      return { pending: row.pending, oldestPendingAt: row.oldest ?? undefined };
    },

    sweep: (endpoint, before) =>
      file.submit(() => {
        sql.sweep.run(endpoint, before);
      }),

    saveEndpoint: (settings) =>
      file.submit(() => {
        sql.saveSettings.run(settings.id, JSON.stringify(settings));
      }),

    async savedEndpoints() {
      return file.read(() => sql.savedSettings.all()).map((row) => JSON.parse(row.settings) as EndpointSettings);
    },

    removeEndpoint: (endpoint) =>
      file.submit(() => {
        sql.removeDeliveries.run(endpoint);
        sql.removeEndpoint.run(endpoint);
      }),

    async deliveries(endpoint, limit) {
      return file.read(() => sql.latest.all(endpoint, limit)).map(recordOf);
    },

    redeliver: (endpoint, eventId, at) =>
      file.submit(() => {
        if (sql.redeliver.run(at, endpoint, eventId).changes === 0) return undefined;
        return recordOf(sql.one.get(endpoint, eventId)!);
      }),

    close: () => file.close(),
  };
}
