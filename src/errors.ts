/**
 * The error vocabulary. Every failure says who can fix it:
 * - `input`: the caller (the model) passed something wrong; the hint names the tool or value that helps.
 * - `config`: the operator must change a setting; the hint names it.
 * - `upstream`: Sentry, GitHub or an agent API failed; the hint says whether retrying helps.
 * `server.ts` maps these to tool errors in one place. `detail` goes to the log only, never to the model.
 */
type ErrorKind = "input" | "config" | "upstream";

interface AppErrorOptions {
  hint?: string;
  /** Raw upstream data for the log: never shown to the model. */
  detail?: string;
  status?: number;
  /** Which upstream failed, e.g. "sentry" or "github". */
  service?: string;
  retryAfterSeconds?: number;
  cause?: unknown;
}

export class AppError extends Error {
  readonly kind: ErrorKind;
  readonly hint: string | undefined;
  readonly detail: string | undefined;
  readonly status: number | undefined;
  readonly service: string | undefined;
  readonly retryAfterSeconds: number | undefined;

  constructor(kind: ErrorKind, message: string, options: AppErrorOptions = {}) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.name = "AppError";
    this.kind = kind;
    this.hint = options.hint;
    this.detail = options.detail;
    this.status = options.status;
    this.service = options.service;
    this.retryAfterSeconds = options.retryAfterSeconds;
  }
}

export const inputError = (message: string, hint?: string) => new AppError("input", message, { hint });

export const configError = (message: string, hint?: string) => new AppError("config", message, { hint });

/** A 404 from an upstream: usually the caller's ID is wrong, so the model can fix it. */
export class NotFoundError extends AppError {
  constructor(message: string, options: AppErrorOptions = {}) {
    super("input", message, { status: 404, ...options });
    this.name = "NotFoundError";
  }
}

/** Something the caller named does not exist (a run, a rules file): the model can fix the reference. */
export const notFound = (message: string, hint?: string) => new NotFoundError(message, { hint });

export const isAppError = (error: unknown): error is AppError => error instanceof AppError;

/** The one place an unknown throwable becomes model-facing text. */
export function describeError(error: unknown): { kind: ErrorKind | "internal"; text: string } {
  if (isAppError(error)) {
    const who = {
      input: "Invalid request",
      config: "Server configuration problem",
      upstream: `${error.service ?? "Upstream"} error`,
    }[error.kind];
    const lines = [`${who}: ${error.message}`];
    if (error.hint) lines.push(`Next: ${error.hint}`);
    return { kind: error.kind, text: lines.join("\n") };
  }
  return {
    kind: "internal",
    text: "Internal error in autofix-mcp. The details are in the server log; retrying may help, and if it keeps failing please report it.",
  };
}

/** "400 ms", "15 s": a timeout as a person would say it. */
export function duration(ms: number): string {
  return ms < 1000 ? `${Math.round(ms)} ms` : `${Math.round(ms / 1000)} s`;
}
