/**
 * The shapes every part of the core agrees on. Times are absolute milliseconds
 * (epoch or virtual), always passed in: the core never reads a clock itself.
 */

/**
 * A header section in wire order. Names are lower-cased; values are kept as
 * received; a field that appears several times keeps one entry per line, so
 * repeated fields (Set-Cookie, Vary, Cache-Control) survive every tier intact.
 */
export type HeaderList = Array<[name: string, value: string]>;

export interface RequestHead {
  method: string;
  scheme: 'http' | 'https';
  /** Host (authority) as the client sent it. */
  host: string;
  /** Path and query, exactly as received: `/a/b?x=1`. */
  target: string;
  headers: HeaderList;
}

export interface ResponseHead {
  status: number;
  headers: HeaderList;
}

/** A source of the current time in milliseconds. */
export interface Clock {
  now(): number;
}

export interface TimerHandle {
  cancel(): void;
}

/**
 * A clock that can also run a callback later. Services use real timers,
 * the simulator a virtual-time heap; the core only ever sees this interface.
 */
export interface Scheduler extends Clock {
  setTimer(delayMs: number, fn: () => void): TimerHandle;
}
