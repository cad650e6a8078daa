import { retransmissionAfter } from './retransmission';

describe('retransmissionAfter', () => {
  it('times a message held by a cut at the first of TCP\'s retransmissions (200 ms after sending, then doubling) at or after the return', () => {
    // Sent at 5 s: 5.2, 5.6, 6.4, 8.0, 11.2, 17.6 s.
    expect(retransmissionAfter(5000, 15_000)).toBe(2600);
    expect(retransmissionAfter(5000, 11_200)).toBe(0);
    expect(retransmissionAfter(5000, 11_201)).toBe(6399);
    expect(retransmissionAfter(5000, 5000)).toBe(200);
    expect(retransmissionAfter(5000, 5100)).toBe(100);
  });
});
