import * as fs from "fs";
import * as path from "path";
import * as ts from "typescript";

/** The TypeScript and JavaScript modules under DIR; node_modules, dist (built) and dot-directories left out. */
function modules(dir: string): string[] {
  const found: string[] = [];
  for (const entry of fs.readdirSync(dir, { withFileTypes: true })) {
    if (["node_modules", "dist"].includes(entry.name) || entry.name.startsWith(".")) continue;
    const full = path.join(dir, entry.name);
    if (entry.isDirectory()) found.push(...modules(full));
    else if (/\.(ts|mts|mjs|js)$/.test(entry.name) && !/\.d\.m?ts$/.test(entry.name))
      found.push(full);
  }
  return found;
}

/**
 * Which modules under ROOT each module imports: every relative import or re-export,
 * type-only ones too (the rules are about how the code is laid out, not only about
 * what runs). Absolute paths.
 */
function importGraph(root: string): Map<string, string[]> {
  const files = modules(root);
  const known = new Set(files);
  const graph = new Map<string, string[]>();
  const options: ts.CompilerOptions = {
    allowJs: true,
    moduleResolution: ts.ModuleResolutionKind.Node10,
  };
  for (const file of files) {
    const imports = ts.preProcessFile(fs.readFileSync(file, "utf8"), true, true).importedFiles;
    const targets: string[] = [];
    for (const { fileName } of imports) {
      if (!fileName.startsWith(".")) continue;
      const resolved = ts.resolveModuleName(fileName, file, options, ts.sys).resolvedModule;
      const target = resolved?.resolvedFileName ?? path.resolve(path.dirname(file), fileName);
      // A declaration file stands for the module beside it (exposure-check.d.mts).
      const module = target.replace(/\.d\.(m?)ts$/, ".$1js");
      if (known.has(module)) targets.push(module);
    }
    graph.set(file, targets);
  }
  return graph;
}

/** Each module's imports, as paths relative to ROOT ("stacks/vps.ts" -> [...]). */
export function relativeImports(root: string): Map<string, string[]> {
  const graph = importGraph(root);
  const rel = (f: string) => path.relative(root, f);
  return new Map([...graph].map(([file, targets]) => [rel(file), targets.map(rel)]));
}

/** Every import cycle among the modules under ROOT, as "a.ts -> b.ts -> a.ts" (relative to ROOT). */
export function importCycles(root: string): string[] {
  const graph = importGraph(root);
  const files = [...graph.keys()];
  const cycles: string[] = [];
  const state = new Map<string, "open" | "done">();
  const trail: string[] = [];
  const visit = (file: string) => {
    state.set(file, "open");
    trail.push(file);
    for (const next of graph.get(file) ?? []) {
      if (state.get(next) === "open")
        cycles.push(
          [...trail.slice(trail.indexOf(next)), next]
            .map((f) => path.relative(root, f))
            .join(" -> "),
        );
      else if (!state.has(next)) visit(next);
    }
    trail.pop();
    state.set(file, "done");
  };
  for (const file of files) if (!state.has(file)) visit(file);
  return cycles;
}
