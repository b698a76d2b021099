import type { Logger } from "../log.ts";
import type { TreeIndex } from "./git-parse.ts";

/**
 * A commit's file list from GitHub's git trees API. One recursive request usually suffices; GitHub caps it
 * (100,000 entries / 7 MB) and says `truncated: true`, in which case subtrees are fetched one by one,
 * eight at a time, up to a request budget — and a partial list is logged, not hidden.
 */

interface TreeEntry {
  path?: string;
  mode?: string;
  type?: string;
  sha?: string;
}

type GetTree = (sha: string, recursive: boolean) => Promise<{ truncated?: boolean; tree: TreeEntry[] }>;

const MAX_TREE_REQUESTS = 300;
const PARALLEL = 8;

export async function walkTree(sha: string, getTree: GetTree, logger: Logger): Promise<TreeIndex> {
  const index: TreeIndex = new Map();
  const first = await getTree(sha, true);
  if (!first.truncated) {
    for (const e of first.tree)
      if (e.type === "blob" && e.path && e.sha)
        index.set(e.path, { mode: e.mode ?? "100644", object: e.sha });
    return index;
  }
  logger.info("GitHub tree truncated; walking subtrees");
  const queue: Array<{ sha: string; prefix: string }> = [{ sha, prefix: "" }];
  let requests = 0;
  while (queue.length > 0) {
    if (requests >= MAX_TREE_REQUESTS) {
      logger.warn("GitHub tree walk stopped early; the file list is partial", { pending: queue.length });
      break;
    }
    const batch = queue.splice(0, PARALLEL);
    requests += batch.length;
    const results = await Promise.all(
      batch.map((t) => getTree(t.sha, false).then((r) => ({ prefix: t.prefix, entries: r.tree }))),
    );
    for (const { prefix, entries } of results) {
      for (const e of entries) {
        if (!e.path || !e.sha) continue;
        if (e.type === "tree") queue.push({ sha: e.sha, prefix: `${prefix}${e.path}/` });
        else if (e.type === "blob")
          index.set(`${prefix}${e.path}`, { mode: e.mode ?? "100644", object: e.sha });
      }
    }
  }
  return index;
}
