// Loaded into the server by `npm run bench:load` (with --expose-gc): SIGUSR2 runs a full garbage collection,
// so heap samples taken right after show live memory, not garbage V8 has not collected yet.
process.on("SIGUSR2", () => globalThis.gc?.());
