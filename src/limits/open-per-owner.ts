/**
 * What clients hold open at once on this instance (sockets, SSE streams, uploads), counted
 * per owner against a bound. An owner that holds none is forgotten, so the map stays as small
 * as the set of owners with something open.
 */
export class OpenPerOwner {
  private readonly open = new Map<string, number>();

  constructor(readonly max: number) {}

  /** Whether the owner holds its whole share. */
  full(ownerId: string): boolean {
    return (this.open.get(ownerId) ?? 0) >= this.max;
  }

  /** Takes one for the owner unless it holds its share: false then, and nothing is taken. */
  take(ownerId: string): boolean {
    if (this.full(ownerId)) return false;
    this.add(ownerId);
    return true;
  }

  /** Counts one more for the owner, whatever it holds (one that was checked before it opened). */
  add(ownerId: string): void {
    this.open.set(ownerId, (this.open.get(ownerId) ?? 0) + 1);
  }

  give(ownerId: string): void {
    const left = (this.open.get(ownerId) ?? 1) - 1;
    if (left > 0) this.open.set(ownerId, left);
    else this.open.delete(ownerId);
  }
}
