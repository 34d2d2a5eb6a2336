/**
 * Sockets per client address that have not said hello yet, on this instance. Before hello a
 * socket is nobody's, so the address is all there is to bound: without it one host could hold
 * thousands of silent sockets for the length of the hello timeout.
 */
export class PendingSockets {
  private readonly byAddress = new Map<string, number>();

  constructor(private readonly maxPerAddress: number) {}

  /** Makes room for one more socket from `address` and returns what frees it (once); undefined when full. */
  admit(address: string): (() => void) | undefined {
    const count = this.byAddress.get(address) ?? 0;
    if (count >= this.maxPerAddress) return undefined;
    this.byAddress.set(address, count + 1);
    let released = false;
    return () => {
      if (released) return;
      released = true;
      const left = (this.byAddress.get(address) ?? 1) - 1;
      if (left > 0) this.byAddress.set(address, left);
      else this.byAddress.delete(address);
    };
  }
}
