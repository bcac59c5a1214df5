// The bounded FIFO both analytics sinks buffer records in: a fixed-capacity
// ring, so memory stays bounded whatever the traffic.
export class BoundedQueue<T> {
  private readonly items: Array<T | undefined>;
  private head = 0;
  size = 0;

  constructor(private readonly capacity: number) {
    this.items = new Array<T | undefined>(capacity);
  }

  /** Appends; when full the oldest item is evicted to make room, and true is returned. */
  push(item: T): boolean {
    const evict = this.size === this.capacity;
    if (evict) this.shift();
    this.items[(this.head + this.size) % this.capacity] = item;
    this.size++;
    return evict;
  }

  shift(): T | undefined {
    if (this.size === 0) return undefined;
    const item = this.items[this.head];
    this.items[this.head] = undefined;
    this.head = (this.head + 1) % this.capacity;
    this.size--;
    return item;
  }

  /** Removes and returns up to n items from the front, oldest first. */
  take(n: number): T[] {
    const count = Math.min(n, this.size);
    const out = new Array<T>(count);
    for (let i = 0; i < count; i++) out[i] = this.shift() as T;
    return out;
  }

  /** Puts items back at the front, keeping their order; the caller keeps size within capacity. */
  unshiftAll(items: T[]): void {
    for (let i = items.length - 1; i >= 0; i--) {
      this.head = (this.head - 1 + this.capacity) % this.capacity;
      this.items[this.head] = items[i];
      this.size++;
    }
  }
}
