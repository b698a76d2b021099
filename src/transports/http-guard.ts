import { createHash, timingSafeEqual } from "node:crypto";
import { isLoopbackHost } from "../config.ts";

/**
 * Request checks for the HTTP transport, as pure functions. Host and Origin checks stop DNS-rebinding
 * attacks (a web page that resolves its own name to 127.0.0.1); the bearer token stops everyone else.
 */
export interface GuardPolicy {
  /** The address the server listens on. */
  bindHost: string;
  allowedHosts: readonly string[];
  allowedOrigins: readonly string[];
  token: string | null;
}

const LOOPBACK_NAMES = ["localhost", "127.0.0.1", "::1"];

export function isWildcardBind(host: string): boolean {
  return host === "0.0.0.0" || host === "::" || host === "";
}

/** Host header hostname must be a loopback name, the bound address, or an allowed host ("*" allows any). */
export function hostAllowed(hostHeader: string | undefined, policy: GuardPolicy): boolean {
  if (!hostHeader) return false;
  if (policy.allowedHosts.includes("*")) return true;
  const { hostname, withPort } = splitHost(hostHeader);
  if (LOOPBACK_NAMES.includes(hostname) || isLoopbackHost(hostname)) return true;
  if (!isWildcardBind(policy.bindHost) && hostname === stripBrackets(policy.bindHost.toLowerCase()))
    return true;
  return policy.allowedHosts.some((entry) => {
    const e = entry.toLowerCase();
    return e === withPort || stripBrackets(e) === hostname;
  });
}

/** No Origin (non-browser clients) is fine; a browser Origin must be loopback or explicitly allowed. */
export function originAllowed(origin: string | undefined, policy: GuardPolicy): boolean {
  if (origin === undefined) return true;
  if (policy.allowedOrigins.includes("*")) return true;
  let url: URL;
  try {
    url = new URL(origin);
  } catch {
    return false;
  }
  const hostname = stripBrackets(url.hostname.toLowerCase());
  // Pages served from this machine are the user's own; a rebinding page carries the attacker's hostname.
  if (isLoopbackHost(hostname)) return true;
  return policy.allowedOrigins.some((entry) => {
    const e = entry.toLowerCase().replace(/\/+$/, "");
    return e === url.origin.toLowerCase() || e === hostname;
  });
}

/** Constant-time comparison of `Authorization: Bearer <token>`; hashing first hides the token's length. */
export function tokenMatches(authorization: string | undefined, token: string): boolean {
  const match = /^Bearer\s+(.+)$/i.exec(authorization?.trim() ?? "");
  const given = match?.[1]?.trim() ?? "";
  const a = createHash("sha256").update(given).digest();
  const b = createHash("sha256").update(token).digest();
  return timingSafeEqual(a, b) && given.length > 0;
}

function splitHost(hostHeader: string): { hostname: string; withPort: string } {
  const withPort = hostHeader.trim().toLowerCase();
  const hostname = withPort.startsWith("[")
    ? withPort.slice(1, withPort.indexOf("]"))
    : withPort.replace(/:\d+$/, "");
  return { hostname, withPort };
}

function stripBrackets(host: string): string {
  return host.replace(/^\[|\]$/g, "");
}
