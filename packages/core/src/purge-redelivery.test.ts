import { mayRedeliver, PURGE_REDELIVERY_WINDOW_MS, purgeRedeliveryDelay } from './purge-redelivery';

describe('purge redelivery schedule', () => {
  it('waits 1, 2, 4, 8, 16 s and then 16 s between calls', () => {
    expect([2, 3, 4, 5, 6, 7, 40].map(purgeRedeliveryDelay)).toEqual([1000, 2000, 4000, 8000, 16000, 16000, 16000]);
  });

  it('refuses a call number that is not a redelivery', () => {
    expect(() => purgeRedeliveryDelay(1)).toThrow(/at least 2/);
    expect(() => purgeRedeliveryDelay(2.5)).toThrow(/integer/);
  });

  it('stops once the purge is ten minutes old', () => {
    expect(mayRedeliver(1000, 1000 + PURGE_REDELIVERY_WINDOW_MS - 1)).toBe(true);
    expect(mayRedeliver(1000, 1000 + PURGE_REDELIVERY_WINDOW_MS)).toBe(false);
  });
});
