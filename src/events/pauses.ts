/**
 * Waits that end when their time is up or when woken, whichever comes first: for the loops that
 * poll (the forwarding job's workers, erasures), which a new job should wake at once and a
 * shutdown should not leave waiting out their time.
 */
export class Pauses {
  private readonly waiting = new Set<() => void>();

  /** Resolves after `ms`, or as soon as wakeAll() is called. */
  for(ms: number): Promise<void> {
    return new Promise((resolve) => {
      const end = () => {
        clearTimeout(timer);
        this.waiting.delete(end);
        resolve();
      };
      const timer = setTimeout(end, ms);
      this.waiting.add(end);
    });
  }

  /** Ends every pause under way; answers how many there were. */
  wakeAll(): number {
    const woken = [...this.waiting];
    for (const end of woken) end();
    return woken.length;
  }
}
