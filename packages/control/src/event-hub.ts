/**
 * Control-plane events (purges issued and applied, anything a launcher or a
 * scenario posts) fanned out to live subscribers: gRPC Events streams and
 * HTTP Server-Sent Events. Nothing is kept: a subscriber sees what happens
 * after it subscribed.
 */

export interface ControlEvent {
  timeMs: number;
  /** The node the event is about; the control plane's own id for its own events. */
  nodeId: string;
  /** Dotted lower-case name: "purge.issued", "purge.applied", "node.down", ... */
  type: string;
  /** Event-specific fields (sent as JSON). */
  detail: Record<string, unknown>;
}

export interface Subscriber {
  onEvent(event: ControlEvent): void;
  /** The hub is closing (shutdown): end the stream. */
  onClose(): void;
}

const TYPE = /^[a-z][a-z0-9_-]*(\.[a-z0-9_-]+)*$/;

/** Check a caller-supplied type name; returns the reason it is wrong, or null. */
export function eventTypeProblem(type: unknown): string | null {
  if (typeof type !== 'string' || type.length > 64 || !TYPE.test(type)) {
    return `expected event type to be a dotted lower-case name like "node.down" (at most 64 characters), got ${JSON.stringify(type)}`;
  }
  return null;
}

export class EventHub {
  private readonly subscribers = new Map<Subscriber, ReadonlySet<string> | null>();
  private closed = false;

  /** Listen to `types` (empty: every type). Returns the unsubscribe function; calling it twice is harmless. */
  subscribe(types: readonly string[], subscriber: Subscriber): () => void {
    if (this.closed) {
      subscriber.onClose();
      return () => undefined;
    }
    this.subscribers.set(subscriber, types.length === 0 ? null : new Set(types));
    return () => {
      this.subscribers.delete(subscriber);
    };
  }

  get subscriberCount(): number {
    return this.subscribers.size;
  }

  publish(event: ControlEvent): void {
    for (const [subscriber, types] of this.subscribers) {
      if (types && !types.has(event.type)) continue;
      try {
        subscriber.onEvent(event);
      } catch {
        // One broken stream must not stop the others hearing the event.
        this.subscribers.delete(subscriber);
      }
    }
  }

  /** End every subscription; later subscribers are closed at once. */
  close(): void {
    this.closed = true;
    const all = [...this.subscribers.keys()];
    this.subscribers.clear();
    for (const s of all) {
      try {
        s.onClose();
      } catch {
        // Closing is best effort: the transport may already be gone.
      }
    }
  }
}
