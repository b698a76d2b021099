import { randomBytes } from "node:crypto";
import type { IncomingMessage, ServerResponse } from "node:http";

/**
 * Sessions of the operator page. The bearer token is given once (a login form's POST body, or an
 * Authorization header) and exchanged for a random session ID in an HttpOnly, SameSite=Strict cookie, so the
 * token never sits in a URL, a browser's history or a page; each session carries its own CSRF token, which
 * the page's one form that writes (retry) must send back.
 */
export const SESSION_COOKIE = "autofix_ui";
const SESSION_MS = 8 * 60 * 60 * 1000;
const MAX_SESSIONS = 200;

export interface OperatorSession {
  csrf: string;
  expires: number;
}

export class OperatorSessions {
  private readonly sessions = new Map<string, OperatorSession>();

  open(res: ServerResponse): OperatorSession {
    const now = Date.now();
    for (const [id, s] of this.sessions) if (s.expires < now) this.sessions.delete(id);
    // The oldest session goes first when someone logs in over and over.
    if (this.sessions.size >= MAX_SESSIONS) this.sessions.delete(this.sessions.keys().next().value!);
    const id = randomBytes(32).toString("base64url");
    const session = { csrf: randomBytes(24).toString("base64url"), expires: now + SESSION_MS };
    this.sessions.set(id, session);
    res.setHeader(
      "set-cookie",
      `${SESSION_COOKIE}=${id}; HttpOnly; SameSite=Strict; Path=/ui; Max-Age=${SESSION_MS / 1000}`,
    );
    return session;
  }

  find(req: IncomingMessage): OperatorSession | null {
    const id = cookie(req, SESSION_COOKIE);
    const session = id ? this.sessions.get(id) : undefined;
    if (!session || session.expires < Date.now()) return null;
    return session;
  }

  close(req: IncomingMessage, res: ServerResponse): void {
    const id = cookie(req, SESSION_COOKIE);
    if (id) this.sessions.delete(id);
    res.setHeader("set-cookie", `${SESSION_COOKIE}=; HttpOnly; SameSite=Strict; Path=/ui; Max-Age=0`);
  }
}

function cookie(req: IncomingMessage, name: string): string | null {
  for (const part of (req.headers.cookie ?? "").split(";")) {
    const [key, ...value] = part.trim().split("=");
    if (key === name) return value.join("=") || null;
  }
  return null;
}
