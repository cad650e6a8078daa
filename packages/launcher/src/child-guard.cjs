// Preloaded (`node --require`) into every process the launcher starts in the
// foreground. The launcher holds an IPC channel to each child; when the
// launcher dies, even by SIGKILL, the kernel closes the channel and the child
// sees 'disconnect'. The child then stops as if it had been sent SIGTERM, so
// no node outlives the `cdnlab up` that started it.
// The channel is unref'd so it never keeps a child alive by itself.
'use strict';

if (process.channel) {
  process.channel.unref();
  process.once('disconnect', () => {
    // Our own SIGTERM handler does the graceful stop; this is the last resort.
    setTimeout(() => process.exit(1), 10_000).unref();
    process.kill(process.pid, 'SIGTERM');
  });
}
