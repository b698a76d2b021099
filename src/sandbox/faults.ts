/**
 * Injected failures for the sandbox Sentry. A fault matches requests by path (substring or RegExp) and
 * optionally method, fires `times` times (default: until cleared), and answers with a status and body kind.
 */
export interface Fault {
  /** Matched against the path after any region prefix, e.g. "/events/" or /\/issues\/\d+\/$/. */
  match: string | RegExp;
  method?: string;
  status?: number;
  /**
   * json: `{"detail": …}` (default) · string: a bare JSON string body · html: an HTML error page ·
   * truncated: a 200 with cut-off JSON · reset: the socket is destroyed · hang: no answer at all ·
   * slow: wait `delayMs`, then answer normally
   */
  kind?: "json" | "string" | "html" | "truncated" | "reset" | "hang" | "slow";
  message?: string;
  times?: number;
  /** Count `times` per distinct URL (path and query): `{times: 1, perUrl: true}` fails the first request to each. */
  perUrl?: boolean;
  delayMs?: number;
  /** For 429: seconds until `X-Sentry-Rate-Limit-Reset`. */
  resetSeconds?: number;
}

export interface ActiveFault {
  kind: NonNullable<Fault["kind"]>;
  status: number;
  message?: string;
  delayMs?: number;
  resetSeconds?: number;
}

export class FaultController {
  private faults: Array<Fault & { remaining: number; used: Map<string, number> }> = [];

  add(fault: Fault): void {
    this.faults.push({ ...fault, remaining: fault.times ?? Number.POSITIVE_INFINITY, used: new Map() });
  }

  clear(): void {
    this.faults = [];
  }

  /** The first matching fault, consuming one of its uses. `query` tells URLs apart for `perUrl` faults. */
  take(method: string, path: string, query = ""): ActiveFault | null {
    for (const fault of this.faults) {
      if (fault.method && fault.method !== method) continue;
      const hit = typeof fault.match === "string" ? path.includes(fault.match) : fault.match.test(path);
      if (!hit) continue;
      if (fault.perUrl) {
        const url = `${path}?${query}`;
        const used = fault.used.get(url) ?? 0;
        if (used >= (fault.times ?? Number.POSITIVE_INFINITY)) continue;
        fault.used.set(url, used + 1);
      } else {
        if (fault.remaining <= 0) continue;
        fault.remaining--;
      }
      return {
        kind: fault.kind ?? "json",
        status: fault.status ?? (fault.kind === "truncated" ? 200 : 500),
        message: fault.message,
        delayMs: fault.delayMs,
        resetSeconds: fault.resetSeconds,
      };
    }
    return null;
  }
}
