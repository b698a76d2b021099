import picomatch from "picomatch";

/**
 * Which repositories the server may read: `allowedRepositories` globs (`acme/*`, `acme/orders-api`) matched
 * case-insensitively against a repository's name and its GitHub owner/name. With no allowlist, only
 * repositories the operator configured are readable (enforced by the registry, not here).
 */
export function isRepositoryAllowed(
  allowed: readonly string[],
  ...names: Array<string | undefined>
): boolean {
  const matchers = allowed.map((p) => picomatch(p.toLowerCase(), { dot: true }));
  return names.some((n) => n !== undefined && matchers.some((m) => m(n.toLowerCase())));
}
