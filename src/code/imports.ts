/** Repository files a source file imports (Python `from a.b import c`, JS/TS relative imports). */
export function importedFiles(source: string, fromPath: string, files: string[]): string[] {
  const out: string[] = [];
  const dir = fromPath.split("/").slice(0, -1);
  for (const m of source.matchAll(/^\s*from\s+([\w.]+)\s+import\b|^\s*import\s+([\w.]+)/gm)) {
    const mod = (m[1] ?? m[2]!).split(".");
    for (const f of files)
      if (f.endsWith(`${mod.join("/")}.py`) || f.endsWith(`${mod.join("/")}/__init__.py`)) out.push(f);
  }
  for (const m of source.matchAll(
    /\bfrom\s+["'](\.{1,2}\/[^"']+)["']|require\(\s*["'](\.{1,2}\/[^"']+)["']\s*\)/g,
  )) {
    const rel = (m[1] ?? m[2]!).split("/");
    const parts = [...dir];
    for (const p of rel) {
      if (p === "..") parts.pop();
      else if (p !== ".") parts.push(p);
    }
    const base = parts.join("/").replace(/\.(js|ts|mjs)$/, "");
    for (const ext of [".ts", ".tsx", ".js", ".jsx", ".mjs", "/index.ts", "/index.js"])
      if (files.includes(base + ext)) out.push(base + ext);
  }
  return [...new Set(out)];
}
