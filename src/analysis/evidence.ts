import type { EvidenceRecord } from "../store/types.ts";
import { clipDeep } from "../text/clip.ts";

/**
 * The evidence of one run. IDs are derived from what the evidence is (`frame:main:4`, `commit:9f3c2a7e41b8`,
 * `span:998837d8ea5fff18`), so the same data gives the same IDs and every causal-chain step can cite
 * evidence that get_run can show.
 */
export class EvidenceSet {
  private readonly records = new Map<string, EvidenceRecord>();

  add(id: string, kind: string, summary: string, data: unknown = null): string {
    if (!this.records.has(id))
      this.records.set(id, { id, kind, summary: summary.slice(0, 300), data: bounded(data, 0) });
    return id;
  }

  has(id: string): boolean {
    return this.records.has(id);
  }

  get(id: string): EvidenceRecord | undefined {
    return this.records.get(id);
  }

  all(): EvidenceRecord[] {
    return [...this.records.values()];
  }

  /** Only the IDs that exist: a claim never cites evidence the run does not hold. */
  grounded(ids: Array<string | null | undefined>): string[] {
    return [...new Set(ids.filter((id): id is string => typeof id === "string" && this.records.has(id)))];
  }
}

/**
 * Evidence data is quoted from Sentry and the repository, so its size is the attacker's choice: strings
 * are cut at 2,000 characters, arrays at 50 items and nesting at 6 levels before a run stores them.
 */
function bounded(value: unknown, depth: number): unknown {
  return clipDeep(value, { text: 2_000, items: 50, depth: 6 }, depth);
}
