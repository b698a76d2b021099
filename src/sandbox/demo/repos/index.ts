import { mkdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { join, resolve } from "node:path";
import { DAY } from "../common.ts";
import { hexId } from "../ids.ts";
import { buildRepo, git, gitEnv, headOf, type RepoSpec, requireGit } from "./git.ts";
import { ordersApiRepo } from "./orders-api.ts";
import { paymentsRepo } from "./payments.ts";
import { storefrontRepo } from "./storefront.ts";

export { STACKED_COUPONS_SUBJECT } from "./orders-api.ts";

/**
 * The demo's sample git repositories (acme/orders-api, acme/storefront, acme/payments), built under `dir`
 * at startup. Every in-app frame of the demo events points at a file and lines that exist at HEAD, and
 * the histories tell the demo's stories (see each repo module). Commit dates are relative to `now`, so a
 * given `now` always yields the same SHAs.
 */

export interface DemoRepo {
  /** `owner/name` */
  name: string;
  /** Absolute path of the checkout. */
  path: string;
  /** Sentry project slugs it serves. */
  projects: string[];
}

const MARKER = ".autofix-demo-repos.json";

export function demoRepoSpecs(): RepoSpec[] {
  return [ordersApiRepo(), storefrontRepo(), paymentsRepo()];
}

/**
 * Builds the three repositories under `dir` (one subdirectory each), or reuses them when `dir` already
 * holds an untouched build of the same content made on the same UTC day. Throws when git is missing.
 */
export async function buildDemoRepos(dir: string, now: number): Promise<DemoRepo[]> {
  const root = resolve(dir);
  mkdirSync(root, { recursive: true });
  requireGit(root);
  const specs = demoRepoSpecs();
  const repos = specs.map((s) => ({ name: s.name, path: join(root, s.dir), projects: [...s.projects] }));
  const key = `${Math.floor(now / DAY)}:${hexId(JSON.stringify(specs), 16)}`;
  if (reusable(root, key, specs)) return repos;

  rmSync(join(root, MARKER), { force: true });
  const heads: Record<string, string> = {};
  for (const spec of specs) heads[spec.dir] = buildRepo(root, spec, now);
  writeFileSync(join(root, MARKER), `${JSON.stringify({ key, heads }, null, 2)}\n`, "utf8");
  return repos;
}

/** A previous build is reused only if its key matches and every repo is at its recorded HEAD, unmodified. */
function reusable(root: string, key: string, specs: RepoSpec[]): boolean {
  let marker: { key?: unknown; heads?: Record<string, unknown> };
  try {
    marker = JSON.parse(readFileSync(join(root, MARKER), "utf8")) as typeof marker;
  } catch {
    return false;
  }
  if (marker.key !== key || !marker.heads) return false;
  try {
    for (const spec of specs) {
      const path = join(root, spec.dir);
      if (headOf(path) !== marker.heads[spec.dir]) return false;
      const status = git(path, ["status", "--porcelain", "--untracked-files=all"], gitEnv(root));
      if (status.trim() !== "") return false;
    }
  } catch {
    return false;
  }
  return true;
}
