import path from "node:path";

/**
 * How every function is bundled: sst.config.ts sets it as the default function props, and the
 * package-size bench (bench/lib/bundle.ts) builds the same way.
 *
 * The AWS SDK is bundled (one file loads faster than the runtime's copy: BENCHMARKS.md section 6),
 * except the credential sources the SDK's default chain reaches only through `await import()`
 * after the environment's keys: SSO, shared ini files, credential processes and web-identity token
 * files. A Lambda always has its role's keys in the environment (AWS_ACCESS_KEY_ID,
 * AWS_SECRET_ACCESS_KEY, AWS_SESSION_TOKEN, no AWS_PROFILE), so the chain stops at them and these
 * are never loaded; bundled, they and the STS/SSO clients they bring were ~130 KB of every function.
 * Should one ever be reached, it resolves from the SDK v3 the nodejs22.x runtime ships.
 */
export const CREDENTIAL_SOURCES_LAMBDA_NEVER_LOADS = [
  "@aws-sdk/credential-provider-sso",
  "@aws-sdk/credential-provider-ini",
  "@aws-sdk/credential-provider-process",
  "@aws-sdk/credential-provider-web-identity",
];

/**
 * zod's namespace object (`z`, which @hono/zod-openapi extends as a whole) re-exports
 * `z.locales`: the error messages of every language zod speaks, ~260 KB minified, more than half of
 * zod in each bundle. Messages here are English, which zod imports on its own (`locales/en.js`), so
 * the bundles keep `z.locales.en` alone.
 */
/** What the plugin below uses of esbuild's plugin API, the same in SST's own esbuild and the bench's. */
interface Plugin {
  name: string;
  setup(build: {
    onResolve(options: { filter: RegExp }, callback: (args: { importer: string; resolveDir: string }) => { path: string; namespace: string } | undefined): void;
    onLoad(options: { filter: RegExp; namespace: string }, callback: (args: { path: string }) => { contents: string; resolveDir: string; loader: "js" }): void;
  }): void;
}

export const zodEnglishOnly: Plugin = {
  name: "zod-english-only",
  setup(build) {
    build.onResolve({ filter: /^\.\.\/locales\/index\.js$/ }, (args) =>
      /[\\/]node_modules[\\/]zod[\\/]/.test(args.importer) ? { path: path.resolve(args.resolveDir, "../locales/index.js"), namespace: "zod-locales" } : undefined,
    );
    build.onLoad({ filter: /.*/, namespace: "zod-locales" }, (args) => ({
      contents: `export { default as en } from "./en.js";\n`,
      resolveDir: path.dirname(args.path),
      loader: "js",
    }));
  },
};

/** SST v2's `nodejs` function props for this app. */
export const nodejsBundling: { format: "esm"; minify: boolean; esbuild: { external: string[]; plugins: Plugin[] } } = {
  format: "esm",
  minify: true,
  esbuild: { external: CREDENTIAL_SOURCES_LAMBDA_NEVER_LOADS, plugins: [zodEnglishOnly] },
};
