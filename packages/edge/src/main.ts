import { runTierMain } from '@cdnlab/tier';
import { addHttpFront } from './edge';

void runTierMain('edge', async (t) => {
  const front = await addHttpFront(t);
  return { ready: { httpPort: front.httpPort }, stop: front.stop };
});
