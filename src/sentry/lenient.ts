/**
 * Lenient readers for Sentry JSON. The API drifts: camelCase and snake_case spellings of the same field,
 * numbers sent as strings, nulls anywhere, arrays where objects were expected. These helpers read what is
 * there and fall back quietly; nothing here throws.
 */

export type Json = Record<string, unknown>;

export function obj(value: unknown): Json {
  return value !== null && typeof value === "object" && !Array.isArray(value) ? (value as Json) : {};
}

export function isObj(value: unknown): value is Json {
  return value !== null && typeof value === "object" && !Array.isArray(value);
}

export function arr(value: unknown): unknown[] {
  return Array.isArray(value) ? value : [];
}

/** The first present (non-null, non-undefined) value among several key spellings. */
export function pick(o: Json, ...keys: string[]): unknown {
  for (const key of keys) {
    const v = o[key];
    if (v !== undefined && v !== null) return v;
  }
  return undefined;
}

export function str(value: unknown): string | null {
  if (typeof value === "string") return value;
  if (typeof value === "number" && Number.isFinite(value)) return String(value);
  if (typeof value === "boolean") return String(value);
  return null;
}

/** A non-empty string, or null. */
export function text(value: unknown): string | null {
  const s = str(value);
  return s !== null && s.trim() !== "" ? s : null;
}

export function num(value: unknown): number | null {
  if (typeof value === "number") return Number.isFinite(value) ? value : null;
  if (typeof value === "string" && value.trim() !== "") {
    const n = Number(value);
    return Number.isFinite(n) ? n : null;
  }
  return null;
}

export function int(value: unknown): number | null {
  const n = num(value);
  return n === null ? null : Math.trunc(n);
}

export function bool(value: unknown): boolean | null {
  if (typeof value === "boolean") return value;
  if (value === "true" || value === "yes" || value === 1) return true;
  if (value === "false" || value === "no" || value === 0) return false;
  return null;
}

/** An ISO timestamp from an ISO string or epoch seconds; null when unreadable. */
export function isoTime(value: unknown): string | null {
  if (typeof value === "number" && Number.isFinite(value)) {
    const ms = value > 1e12 ? value : value * 1000;
    const d = new Date(ms);
    return Number.isNaN(d.getTime()) ? null : d.toISOString();
  }
  if (typeof value === "string" && value.trim() !== "") {
    if (/^\d+(\.\d+)?$/.test(value.trim())) return isoTime(Number(value));
    const d = new Date(value);
    return Number.isNaN(d.getTime()) ? null : d.toISOString();
  }
  return null;
}

/** Key/value pairs from either `[[k, v], …]` or `{k: v}` or `[{key, value}]`. */
export function pairs(value: unknown): Array<[string, string]> {
  const out: Array<[string, string]> = [];
  if (Array.isArray(value)) {
    for (const item of value) {
      if (Array.isArray(item)) {
        const k = str(item[0]);
        const v = item[1] === null || item[1] === undefined ? null : stringify(item[1]);
        if (k !== null && v !== null) out.push([k, v]);
      } else if (isObj(item)) {
        const k = str(item.key);
        const v = item.value === null || item.value === undefined ? null : stringify(item.value);
        if (k !== null && v !== null) out.push([k, v]);
      }
    }
  } else if (isObj(value)) {
    for (const [k, v] of Object.entries(value)) {
      if (v !== null && v !== undefined) out.push([k, stringify(v)]);
    }
  }
  return out;
}

function stringify(value: unknown): string {
  if (typeof value === "string") return value;
  try {
    return JSON.stringify(value) ?? String(value);
  } catch {
    return String(value);
  }
}
