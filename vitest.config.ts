import { defineConfig } from "vitest/config";

export default defineConfig({
  test: {
    include: ["packages/**/*.test.ts", "stacks/**/*.test.ts"],
    testTimeout: 30_000,
    hookTimeout: 60_000,
    pool: "forks",
    // Two test files at a time on a 2-core machine: most of a file's time is spent waiting on the
    // local stack's timers and sockets (measured: 568 s for the suite, against ~940 s one at a time).
    maxWorkers: 2,
    // These machines run Node 20; the SDK's notice that future releases need Node 22 is noise here
    // (Lambda runs nodejs22.x, and the lockfile pins today's SDK).
    env: { AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: "true" },
  },
});
