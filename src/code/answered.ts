import { existsSync, realpathSync, statSync } from "node:fs";
import { isAbsolute, join } from "node:path";
import { isRepositoryAllowed } from "../config/allowlist.ts";
import { LocalGitHost } from "./local.ts";
import { originSlug, type Repository, type RepositoryRegistry } from "./repositories.ts";

/**
 * A repository a person named when asked which one serves a project. The answer is user input, and naming
 * a repository connects it (its code is read, briefs may go to it), so it is held to the same bounds as a
 * pin: a repository this server already knows, a GitHub owner/name that `allowedRepositories` admits, or a
 * local checkout — a directory with `.git` — whose real path or origin owner/name the allowlist admits.
 * Without an allowlist only the operator's own repositories can be named.
 */

export type CheckedAnswer =
  | { ok: true; repo: Repository; kind: "path" | "name"; repository: string }
  | { ok: false; reason: string };

const NAME = /^[\w.-]+\/[\w.-]+$/;

export function checkRepositoryAnswer(
  repos: RepositoryRegistry,
  allowed: readonly string[] | null,
  text: string,
): CheckedAnswer {
  const given = text.trim();
  if (!given) return { ok: false, reason: "the answer was empty" };
  if (given.length > 1_000)
    return { ok: false, reason: "the answer is longer than any repository name or path" };
  if (isAbsolute(given)) return checkCheckout(repos, allowed, given);
  const known = repos.byName(given);
  if (known && (!allowed || isRepositoryAllowed(allowed, known.name, known.github)))
    return { ok: true, repo: known, kind: "name", repository: known.name };
  if (NAME.test(given))
    return {
      ok: false,
      reason: allowed
        ? `allowedRepositories (${allowed.join(", ")}) does not admit ${given}`
        : `${given} is not a repository this server is connected to, and without allowedRepositories no other can be named`,
    };
  return { ok: false, reason: "give the absolute path of a local git checkout or a GitHub owner/name" };
}

/**
 * One of the admissible answers exists: a repository the server knows, or an allowlist to admit others. When
 * none does, asking would only add friction.
 */
export function repositoryAnswerPossible(
  repos: RepositoryRegistry,
  allowed: readonly string[] | null,
): boolean {
  return allowed !== null || repos.all().length > 0;
}

function checkCheckout(
  repos: RepositoryRegistry,
  allowed: readonly string[] | null,
  path: string,
): CheckedAnswer {
  let root: string;
  try {
    root = realpathSync(path);
    if (!statSync(root).isDirectory()) return { ok: false, reason: `${path} is not a directory` };
  } catch {
    return { ok: false, reason: `${path} does not exist on the server's machine` };
  }
  if (!existsSync(join(root, ".git")))
    return { ok: false, reason: `${path} is not a git checkout (no .git at its top)` };
  const configured = repos
    .all()
    .find((r) => r.host instanceof LocalGitHost && realOrNull(r.host.root) === root);
  if (configured) return { ok: true, repo: configured, kind: "name", repository: configured.name };
  if (!allowed)
    return {
      ok: false,
      reason: `without allowedRepositories only configured checkouts can be named; add ${path} to repositories in the config file`,
    };
  if (!isRepositoryAllowed(allowed, root, originSlug(root) ?? undefined))
    return {
      ok: false,
      reason: `allowedRepositories (${allowed.join(", ")}) admits neither the path ${root} nor its origin remote`,
    };
  return { ok: true, repo: repos.answeredCheckout(root), kind: "path", repository: root };
}

function realOrNull(path: string): string | null {
  try {
    return realpathSync(path);
  } catch {
    return null;
  }
}
