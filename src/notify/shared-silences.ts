import { randomUUID } from 'node:crypto';
import { createSnapshotStore } from '../log/index.js';
import { Silencer, type SilencesSnapshot } from '../route/index.js';

/**
 * The silences notification stages apply: one Silencer per process, however many stages (one per partition in
 * scale-out) read it, plus how a change is made durable and who must hear of it. The embedded mode keeps them in a
 * snapshot file ({@link openFileSilences}); scale-out keeps them in Redis, shared by every instance.
 */
export interface SharedSilences {
  readonly silencer: Silencer;
  /**
   * Makes the silencer's current state durable (and, where instances share it, visible to the others), then calls
   * the listeners. The silences API answers a change only after this resolved.
   */
  persist(): Promise<void>;
  /**
   * Calls `listener` after each change, made here or loaded from another instance, so a stage can look at its open
   * incidents again; returns a function that unsubscribes it.
   */
  onChange(listener: () => void): () => void;
}

/**
 * Silences in `<dir>/snapshot.json` (a SnapshotStore), restored now: the embedded mode's, one process owning `dir`.
 * A damaged snapshot throws, naming the file.
 */
export async function openFileSilences(dir: string): Promise<SharedSilences> {
  const silencer = new Silencer(() => randomUUID());
  const store = createSnapshotStore<SilencesSnapshot>(dir);
  const saved = await store.load();
  if (saved !== null) silencer.restore(saved.state);
  const listeners = new Set<() => void>();
  // The snapshot's offset means nothing here (there is no log behind silences); it only has to be valid.
  let saves = 0;
  return {
    silencer,
    async persist() {
      await store.save({ offset: ++saves, state: silencer.toJSON() });
      for (const listener of listeners) listener();
    },
    onChange(listener) {
      listeners.add(listener);
      return () => listeners.delete(listener);
    },
  };
}
