import { copyFileSync, mkdirSync } from "node:fs";
import { createRequire } from "node:module";
import path from "node:path";
import { defineConfig, type Plugin } from "vite";

const require = createRequire(import.meta.url);

/**
 * /docs (served by the API's docs function) loads Swagger UI from these same-origin files, so the
 * docs work offline and the docs Lambda stays small (the bundle alone is ~1.4 MB).
 */
function docsAssets(): Plugin {
  let outDir = "dist";
  return {
    name: "docs-assets",
    apply: "build",
    configResolved(config) {
      outDir = path.resolve(config.root, config.build.outDir);
    },
    closeBundle() {
      const from = path.dirname(require.resolve("swagger-ui-dist/package.json"));
      const to = path.join(outDir, "docs-assets");
      mkdirSync(to, { recursive: true });
      for (const file of ["swagger-ui.css", "swagger-ui-bundle.js"]) copyFileSync(path.join(from, file), path.join(to, file));
    },
  };
}

export default defineConfig({
  oxc: { jsx: { runtime: "automatic", importSource: "preact" } },
  build: { target: "es2022", outDir: "dist", emptyOutDir: true, reportCompressedSize: false },
  plugins: [docsAssets()],
});
