import type { RequestRecord } from "../../src/sandbox/server.ts";

/**
 * Sequential round trips in a request log: the longest chain of requests in which each one started only
 * after the one before it had been answered. A request can only depend on answers that arrived before it
 * started, so this is an upper bound on the true dependency depth; requests that overlap count once.
 */
export function sequentialRoundTrips(requests: readonly RequestRecord[]): number {
  const sorted = [...requests].sort((a, b) => a.at - b.at);
  const depth: number[] = [];
  let longest = 0;
  sorted.forEach((r, i) => {
    let before = 0;
    for (let j = 0; j < i; j++) {
      const q = sorted[j]!;
      if (q.endedAt !== null && q.endedAt <= r.at) before = Math.max(before, depth[j]!);
    }
    depth[i] = before + 1;
    longest = Math.max(longest, depth[i]);
  });
  return longest;
}

/** The requests of each round trip, for messages that explain a failed count. */
export function describeRoundTrips(requests: readonly RequestRecord[]): string {
  const sorted = [...requests].sort((a, b) => a.at - b.at);
  const t0 = sorted[0]?.at ?? 0;
  return sorted
    .map(
      (r) => `+${r.at - t0}..${r.endedAt === null ? "open" : `+${r.endedAt - t0}`} ms ${r.method} ${r.path}`,
    )
    .join("\n");
}
