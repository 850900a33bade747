/**
 * Bundling a function the way `sst deploy` does, for the package-size bench and for running the
 * tick from its real bundle in the fan-out bench.
 */
import type * as esbuild from "esbuild";
import { nodejsBundling } from "../../stacks/bundling";

/** SST v2's esbuild options for an ESM Node function (node_modules/sst/runtime/handlers/node.js), with sst.config.ts's nodejs props (stacks/bundling.ts). */
export function sstOptions(entry: string, outfile: string, external: string[] = []): esbuild.BuildOptions {
  return {
    entryPoints: [entry],
    platform: "node",
    external: ["sharp", "pg-native", ...nodejsBundling.esbuild.external, ...external],
    plugins: nodejsBundling.esbuild.plugins,
    keepNames: true,
    bundle: true,
    logLevel: "silent",
    metafile: true,
    format: "esm",
    target: "esnext",
    mainFields: ["module", "main"],
    banner: {
      js: [
        `import { createRequire as topLevelCreateRequire } from 'module';`,
        `const require = topLevelCreateRequire(import.meta.url);`,
        `import { fileURLToPath as topLevelFileUrlToPath, URL as topLevelURL } from "url"`,
        `const __dirname = topLevelFileUrlToPath(new topLevelURL(".", import.meta.url))`,
        "",
      ].join("\n"),
    },
    outfile,
    sourcemap: true, // `sst deploy` makes a .map for each bundle unless sourcemap is false (and uploads it apart from the code)
    minify: nodejsBundling.minify,
  };
}

