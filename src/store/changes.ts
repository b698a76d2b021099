/**
 * In-process notice that a run changed (a stage, feedback, a dispatch's state), for `resources/subscribe`
 * on `autofix://runs/{id}`. Listeners must not throw into the writer; one that does is logged and kept.
 */
export class RunChanges {
  private readonly listeners = new Set<(runId: string) => void>();

  constructor(private readonly onListenerError: (error: unknown) => void = () => undefined) {}

  on(listener: (runId: string) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  emit(runId: string): void {
    for (const listener of this.listeners) {
      try {
        listener(runId);
      } catch (error) {
        this.onListenerError(error);
      }
    }
  }

  get size(): number {
    return this.listeners.size;
  }
}
