/**
 * The staging sweep: expires unfinished uploads (their bytes go, their state turns FAILED with
 * UPLOAD_EXPIRED) and forgets finished records whose time has come. An upload whose last byte
 * was staged just before a crash (so the ledger never heard) is queued instead: all of them
 * once at start (`recover`), and any one found at its expiry, so that the staging store is not
 * asked about every upload on every round.
 */
import type { StagingConfig } from '../config.js';
import type { Logger } from '../logger.js';
import type { StagedUpload } from './staged-upload.js';
import type { StagingService } from './staging-service.js';
import type { StagingStore } from './staging-store.js';

/** Uploads looked at per round (expired ones; finished ones a crash left RECEIVING). */
const SWEEP_BATCH = 100;

export interface ExpirySweepDeps {
  config: StagingConfig;
  service: StagingService;
  staging: StagingStore;
  /** Queues a fully staged upload for forwarding (what tus's finish does). */
  queue(id: string): Promise<void>;
  logger: Logger;
}

export class ExpirySweep {
  private timer: NodeJS.Timeout | undefined;

  constructor(private readonly deps: ExpirySweepDeps) {}

  /** A first round that also recovers what a crash left, then a round a quarter of the shortest expiry. */
  start(): void {
    const { expiryMs, idleExpiryMs } = this.deps.config;
    const everyMs = Math.min(60_000, Math.max(250, Math.floor(Math.min(expiryMs, idleExpiryMs) / 4)));
    const round = (recover: boolean) => {
      this.round(recover).catch((error: unknown) =>
        this.deps.logger.warn('the staging sweep failed; it runs again', { error }),
      );
    };
    round(true);
    this.timer = setInterval(() => round(false), everyMs);
    this.timer.unref();
  }

  stop(): void {
    clearInterval(this.timer);
  }

  private async round(recover: boolean): Promise<void> {
    const { service, staging, config, logger } = this.deps;
    const now = Date.now();
    const fullyStaged = async (upload: StagedUpload) =>
      (await staging.store.getUpload(upload.id).catch(() => undefined))?.offset === upload.length;
    if (recover) {
      for (const upload of await service.ledger.receiving(SWEEP_BATCH)) {
        if (await fullyStaged(upload)) await this.deps.queue(upload.id);
      }
    }
    for (const upload of await service.ledger.expired(now, SWEEP_BATCH)) {
      if (await fullyStaged(upload)) {
        await this.deps.queue(upload.id);
        continue;
      }
      const expired: StagedUpload = {
        ...upload,
        state: 'FAILED',
        errorCode: 'UPLOAD_EXPIRED',
        errorMessage: `The upload received no byte for ${config.idleExpiryMs} ms, or was not finished within ${config.expiryMs} ms; its bytes were removed.`,
      };
      // The bytes go first: a crash before the record is written leaves the upload RECEIVING, and
      // the next round expires it again (its bytes never written, or already gone, are no matter).
      await staging.store.remove(upload.id).catch(() => undefined);
      await service.conclude(expired, now + config.expiryMs, { offset: 0 });
      logger.info('a resumable upload expired unfinished; its bytes were removed', { bytes: upload.length });
    }
    await service.ledger.forgetFinished(now);
  }
}
