// Loaded into the server by `npm run bench:load`: each SIGURG writes the event loop's delay since the previous
// one (perf_hooks.monitorEventLoopDelay, 10 ms resolution) to stderr as `loop-delay#<n> {json}`, then starts
// a new window. SIGURG is ignored by default and used by nothing else in the server.
import { monitorEventLoopDelay } from "node:perf_hooks";

const histogram = monitorEventLoopDelay({ resolution: 10 });
histogram.enable();
let n = 0;
process.on("SIGURG", () => {
  const ms = (ns) => Math.round(ns / 1e5) / 10;
  const stats = {
    p50: ms(histogram.percentile(50)),
    p99: ms(histogram.percentile(99)),
    max: ms(histogram.max),
    samples: histogram.count,
  };
  histogram.reset();
  process.stderr.write(`loop-delay#${++n} ${JSON.stringify(stats)}\n`);
});
