/**
 * Group commit of the embedded store: units of work that arrive while a commit is being flushed wait and go
 * together in the next LMDB transaction, so one fsync acknowledges many writers.
 */
import type { RootDatabase } from 'lmdb';
import type { StoredDocument, WriteOperation } from '../port.ts';

/** Checks one unit (against the store and `written`, the batch's earlier units) and queues its writes, or says why not. */
export type ApplyUnit = (operations: WriteOperation[], written: Map<string, StoredDocument>) => Error | undefined;

/** A unit of work waiting for the next group commit. */
interface PendingUnit {
  operations: WriteOperation[];
  resolve: () => void;
  reject: (err: Error) => void;
}

export class GroupCommit {
  private queue: PendingUnit[] = [];
  private committing = false;

  constructor(
    private readonly root: () => RootDatabase | undefined,
    private readonly applyUnit: ApplyUnit,
  ) {}

  /**
   * Each unit still stands alone: its preconditions are
   * checked before any of its writes, and a unit that fails writes nothing and fails only its own caller.
   */
  write(operations: WriteOperation[]): Promise<void> {
    if (!this.root()) return Promise.reject(new Error('embedded store is not open'));
    return new Promise<void>((resolve, reject) => {
      this.queue.push({ operations, resolve, reject });
      if (!this.committing) void this.commitQueued();
    });
  }

  private async commitQueued(): Promise<void> {
    this.committing = true;
    try {
      while (this.queue.length > 0) {
        const batch = this.queue;
        this.queue = [];
        const root = this.root();
        let outcomes: (Error | undefined)[];
        try {
          if (!root) throw new Error('embedded store is not open');
          // Puts made outside a transaction callback are encoded here and applied by LMDB's write thread, off the
          // main thread; lmdb-js commits every write of one event turn in one transaction (eventTurnBatching), so
          // the batch stays all or nothing. Reads see the last commit, `written` what this batch wrote before.
          const written = new Map<string, StoredDocument>();
          outcomes = batch.map((unit) => this.applyUnit(unit.operations, written));
          await root.committed;
          await root.flushed;
        } catch (err) {
          for (const unit of batch) unit.reject(err as Error);
          continue;
        }
        batch.forEach((unit, i) => {
          const failure = outcomes[i];
          if (failure) unit.reject(failure);
          else unit.resolve();
        });
      }
    } finally {
      this.committing = false;
    }
  }
}
