// Preloaded (`node --require`) into processes the local stack starts with an IPC channel: when the stack
// goes away, however it ended (SIGKILL included), the channel closes and this process ends too, so no
// orphan keeps holding the stack's ports.
if (process.channel) {
  process.channel.unref();
  process.on('disconnect', () => process.exit(1));
}
