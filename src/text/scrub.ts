/**
 * Secret scrubbing for anything that leaves the server. Sentry events carry whatever the application sent:
 * auth headers, cookies, tokens in URLs, keys in log lines. Values Sentry already filtered stay "[Filtered]".
 */

export const FILTERED = "[Filtered]";

const SENSITIVE_KEY =
  /(authorization|^auth$|auth[-_]?token|cookie|token|secret|passw|^pwd$|api[-_]?key|apikey|session|csrf|xsrf|signature|^sig$|credential|private[-_]?key|access[-_]?key|client[-_]?secret|^dsn$|x-api-key|x-auth)/i;

export function isSensitiveKey(key: string): boolean {
  const k = key.trim();
  if (SENSITIVE_KEY.test(k)) return true;
  const parts = segments(k);
  return parts.some((p) => CARD_OR_AUTH.has(p)) || /subscription-?key|internal-?auth/i.test(k);
}

const CARD_OR_AUTH = new Set(["auth", "oauth", "cvc", "cvv", "cvv2", "pin", "pwd", "sig"]);
const SECRET_WORDS = /password|passwd|secret|token|signature|credential|authorization|api_?key|apikey/i;

/** `DB_PASSWORD`, `X-Api-Key`, `cardPin` → lowercase words: db, password; x, api, key; card, pin. */
function segments(key: string): string[] {
  return key
    .replace(/([a-z0-9])([A-Z])/g, "$1 $2")
    .toLowerCase()
    .split(/[^a-z0-9]+/)
    .filter(Boolean);
}

/**
 * Whether `key` in `key=value` or `key: value` text names a secret: any key containing password, passwd,
 * secret, token, signature, credential or authorization; a word auth, sig, pwd, cvc, cvv or pin; or key as
 * one word of several (X-Api-Key, Ocp-Apim-Subscription-Key). An exception type (KeyError: 'x',
 * TokenExpiredError: …) is a message, not a secret.
 */
function isSecretKeyName(key: string): boolean {
  const parts = segments(key);
  const last = parts[parts.length - 1] ?? "";
  if (/^(error|errors|exception|warning)$/.test(last)) return false;
  if (SECRET_WORDS.test(key)) return true;
  if (parts.some((p) => CARD_OR_AUTH.has(p))) return true;
  return parts.length > 1 && parts.includes("key");
}

const PATTERNS: Array<[RegExp, string]> = [
  [/-----BEGIN [A-Z ]*PRIVATE KEY-----[\s\S]*?(-----END [A-Z ]*PRIVATE KEY-----|$)/g, FILTERED],
  // Scheme + credential; the lookahead keeps prose such as "Bearer authentication failed" intact.
  [
    /\b(Bearer|Basic|Token|Digest)\s+(?:(?=[A-Za-z0-9._~+/=-]*\d)[A-Za-z0-9._~+/=-]{12,}|[A-Za-z0-9._~+/=-]{32,})/gi,
    `$1 ${FILTERED}`,
  ],
  [/\bsntry[su]_[A-Za-z0-9+/=_-]{16,}/g, FILTERED],
  [/\bgh[pousr]_[A-Za-z0-9]{20,}/g, FILTERED],
  [/\bgithub_pat_[A-Za-z0-9_]{20,}/g, FILTERED],
  [/\bxox[abprs]-[A-Za-z0-9-]{10,}/g, FILTERED],
  [/\b(AKIA|ASIA)[0-9A-Z]{16}\b/g, FILTERED],
  [/\b(sk|rk|pk)_(live|test)_[A-Za-z0-9]{10,}/g, FILTERED],
  [/\bsk-[A-Za-z0-9_-]{20,}/g, FILTERED],
  [/\bglpat-[A-Za-z0-9_-]{16,}/g, FILTERED],
  [/\bAIza[0-9A-Za-z_-]{30,}/g, FILTERED],
  [/\beyJ[A-Za-z0-9_-]{6,}\.eyJ[A-Za-z0-9_-]{6,}\.[A-Za-z0-9_-]{6,}/g, FILTERED],
  // Credentials inside URLs: scheme://user:pass@host, and an empty user (redis://:pass@host)
  [/\b([a-z][a-z0-9+.-]*:\/\/)[^/\s:@]*:[^/\s@]+@/gi, `$1${FILTERED}@`],
  // Webhook URLs are credentials in their path.
  [/\b(https?:\/\/hooks\.slack\.com\/(?:services|workflows|triggers))\/[\w/-]+/gi, `$1/${FILTERED}`],
  [/\b(https?:\/\/(?:[\w-]+\.)?discord(?:app)?\.com\/api\/webhooks)\/[\w/-]+/gi, `$1/${FILTERED}`],
  [/\b(https?:\/\/[\w.-]*webhook\.office\.com\/webhookb2)\/[\w@/-]+/gi, `$1/${FILTERED}`],
  // Basic credentials are short base64 that the scheme pattern above may miss; prose ("Basic auth") is not.
  [/\b(Authorization\s*[:=]\s*Basic)\s+[A-Za-z0-9+/=._~-]+/gi, `$1 ${FILTERED}`],
  [/\bBasic\s+(?=[A-Za-z0-9+/=]*(?:[0-9+/=]|[a-z][A-Z]))[A-Za-z0-9+/]{4,}={0,2}/g, `Basic ${FILTERED}`],
  // key=value pairs in query strings, form bodies and log lines
  [
    /([?&;,\s"']|^)((?:access_|refresh_|id_|auth_|api_|client_)?(?:token|secret|password|passwd|pwd|api_?key|apikey|sig|signature|session(?:id)?|key|code|credential)s?)=([^&\s#"',;`]+)/gi,
    `$1$2=${FILTERED}`,
  ],
  // "password": "…" in JSON-ish text
  [
    /("(?:password|passwd|secret|token|api_?key|apiKey|access_?token|refresh_?token|client_?secret|authorization|cookie)"\s*:\s*")((?:[^"\\]|\\.)*)"/gi,
    `$1${FILTERED}"`,
  ],
];

const EMAIL = /\b[A-Za-z0-9._%+-]+@[A-Za-z0-9.-]+\.[A-Za-z]{2,}\b/g;

interface ScrubOptions {
  /** Exact secret values to remove wherever they appear (the server's own tokens). */
  secrets?: readonly string[];
  emails?: boolean;
}

/**
 * The server's own secrets (Sentry, GitHub and HTTP tokens, webhook secrets), registered once per context.
 * Every formatter scrubs through here before it cuts text to a budget, and a formatter has no context to
 * pass them in: remembering them here is what lets a cut never leave most of a token behind.
 */
let known: string[] = [];

export function rememberSecrets(secrets: readonly string[]): void {
  known = bySize([...known, ...secrets]);
}

/** Distinct secrets long enough to scrub, longest first (so a secret containing another goes whole). */
function bySize(secrets: readonly string[]): string[] {
  return [...new Set(secrets)].filter((s) => s.length >= 6).sort((a, b) => b.length - a.length);
}

/** `DB_PASSWORD=…`, `X-Api-Key: …`, `"cvc": "…"`: a value under any key that names a secret. */
const KEY_VALUE =
  /(^|[^\w.-])([A-Za-z][\w.-]{0,60})(["']?\s*[=:]\s*)(["']?)((?:Bearer|Basic|Token|Digest)\s+)?([^\s&#"',;`]+)/g;

const JSON_PAIR = /"([A-Za-z][\w.-]{0,60})"(\s*:\s*)"((?:[^"\\]|\\.)*)"/g;

function scrubKeyValues(text: string): string {
  const quoted = text.replace(JSON_PAIR, (all, key, sep, value) =>
    isSecretKeyName(key) && value !== "" && value !== FILTERED ? `"${key}"${sep}"${FILTERED}"` : all,
  );
  return quoted.replace(KEY_VALUE, (all, lead, key, sep, quote, scheme, value) => {
    if (!isSecretKeyName(key) || value === FILTERED || value.startsWith("//")) return all;
    return `${lead}${key}${sep}${quote}${scheme ?? ""}${FILTERED}`;
  });
}

export function scrubText(input: string, options: ScrubOptions = {}): string {
  let out = input;
  const secrets = options.secrets?.length ? bySize([...options.secrets, ...known]) : known;
  for (const secret of secrets) {
    if (out.includes(secret)) out = out.split(secret).join(FILTERED);
  }
  if (secrets.length > 0 && /…|\.\.\./.test(out)) out = dropFragments(out, secrets);
  for (const [pattern, replacement] of PATTERNS) out = out.replace(pattern, replacement);
  out = scrubKeyValues(out);
  if (options.emails) out = out.replace(EMAIL, "[email]");
  return out;
}

const MIN_FRAGMENT = 8;

/**
 * Text cut elsewhere (an upstream, a log line, an older formatter) can end in the first part of a secret
 * followed by an ellipsis, or start after one with its last part: any 8+ character prefix of a known secret
 * just before an ellipsis, or suffix just after one, goes too.
 */
function dropFragments(text: string, secrets: readonly string[]): string {
  const cuts: Array<[number, number]> = [];
  for (const m of text.matchAll(/…|\.\.\./g)) {
    const before = m.index - (/\s*$/.exec(text.slice(Math.max(0, m.index - 8), m.index))?.[0].length ?? 0);
    const afterStart = m.index + m[0].length;
    const after = afterStart + (/^\s*/.exec(text.slice(afterStart, afterStart + 8))?.[0].length ?? 0);
    for (const secret of secrets) {
      for (let k = secret.length - 1; k >= MIN_FRAGMENT; k--) {
        if (before - k >= 0 && text.startsWith(secret.slice(0, k), before - k)) {
          cuts.push([before - k, before]);
          break;
        }
      }
      for (let k = secret.length - 1; k >= MIN_FRAGMENT; k--) {
        if (text.startsWith(secret.slice(-k), after)) {
          cuts.push([after, after + k]);
          break;
        }
      }
    }
  }
  if (cuts.length === 0) return text;
  cuts.sort((a, b) => b[0] - a[0]);
  let out = text;
  let floor = Number.POSITIVE_INFINITY;
  for (const [start, end] of cuts) {
    if (end > floor) continue;
    out = `${out.slice(0, start)}${FILTERED}${out.slice(end)}`;
    floor = start;
  }
  return out;
}

/** Scrubs every string in a JSON-like value; keys that name secrets lose their values entirely. */
export function scrubDeep<T>(value: T, options: ScrubOptions = {}, depth = 0): T {
  if (depth > 64) return value;
  if (typeof value === "string") return scrubText(value, options) as T;
  if (Array.isArray(value)) return value.map((v) => scrubDeep(v, options, depth + 1)) as T;
  if (value && typeof value === "object") {
    const out: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(value)) {
      out[k] =
        typeof v === "string" && isSensitiveKey(k) && v !== "" ? FILTERED : scrubDeep(v, options, depth + 1);
    }
    return out as T;
  }
  return value;
}

/** Header/cookie/query pairs with sensitive names masked. */
export function scrubPairs(pairs: Array<[string, string]>): Array<[string, string]> {
  return pairs.map(([k, v]) => [k, isSensitiveKey(k) ? FILTERED : scrubText(v)]);
}

/** A URL with sensitive query values and embedded credentials masked. */
export function scrubUrl(url: string): string {
  try {
    const u = new URL(url);
    if (u.username || u.password) {
      u.username = "";
      u.password = "";
    }
    for (const key of [...u.searchParams.keys()]) {
      if (isSensitiveKey(key)) u.searchParams.set(key, FILTERED);
    }
    return scrubText(u.toString().replace(/%5BFiltered%5D/g, FILTERED));
  } catch {
    return scrubText(url);
  }
}
