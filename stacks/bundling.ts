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

/** SST v2's `nodejs` function props for this app. */
export const nodejsBundling: { format: "esm"; minify: boolean; esbuild: { external: string[] } } = {
  format: "esm",
  minify: true,
  esbuild: { external: CREDENTIAL_SOURCES_LAMBDA_NEVER_LOADS },
};
