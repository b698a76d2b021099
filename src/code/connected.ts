import { isRepositoryAllowed } from "../config/allowlist.ts";
import { inputError } from "../errors.ts";
import type { Repository, RepositoryRegistry } from "./repositories.ts";

/**
 * The repositories a run may name. Pins, plan steps and dispatches arrive from the model (add_feedback,
 * edit_solution) or from a stored run, and hand_off sends the brief and our GitHub token to the repository
 * they name: only a repository this server is connected to (configured, mapped by Sentry's code mappings,
 * or admitted by `allowedRepositories`) is accepted, and never one the allowlist refuses.
 */
export function connectedRepository(
  repos: RepositoryRegistry,
  allowed: readonly string[] | null,
  name: string,
): Repository {
  const repo = repos.byName(name);
  if (repo && (!allowed || isRepositoryAllowed(allowed, repo.name, repo.github))) return repo;
  const known = repos.all().map((r) => r.name);
  const choices = [
    known.length > 0 ? `one of: ${known.join(", ")}` : null,
    allowed ? `a GitHub owner/name that allowedRepositories admits (${allowed.join(", ")})` : null,
  ].filter(Boolean);
  throw inputError(
    `repository "${clip(name)}" is not connected to this server.`,
    choices.length > 0
      ? `Name ${choices.join(", or ")}; or omit repo to keep the run's own repository.`
      : "No repository is connected: omit repo, or ask the operator to configure one.",
  );
}

function clip(s: string): string {
  return s.length > 100 ? `${s.slice(0, 99)}…` : s;
}

/** The GitHub owner/name of a repository: its `github` slug, or a configured name of that form. */
export function githubSlug(repo: Repository): string | null {
  return repo.github ?? (/^[\w.-]+\/[\w.-]+$/.test(repo.name) ? repo.name : null);
}
