/**
 * TCP's retransmission schedule, as the simulator and the testbed's emulated
 * links both model a partition: a segment nobody acknowledges is sent again
 * after the retransmission timeout, which doubles on every further try
 * (RFC 6298 §5.5), from Linux's minimum of 200 ms.
 */
export const MIN_RTO_MS = 200;

/**
 * A message sent at `sentAt` across a path that was cut until `now`: TCP
 * kept retransmitting it, 200 ms after it was sent and then at doubling
 * intervals, so it goes through at the first retransmission at or after
 * `now`. Returns the wait from `now`. (The round trip's share of the
 * timeout is left out: across the cut there was no round trip to measure.)
 */
export function retransmissionAfter(sentAt: number, now: number): number {
  let rto = MIN_RTO_MS;
  let at = sentAt + rto;
  while (at < now) {
    rto *= 2;
    at += rto;
  }
  return at - now;
}
