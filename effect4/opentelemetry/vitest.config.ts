import { fileURLToPath } from "node:url"
import { defineConfig } from "vitest/config"

const here = (path: string) => fileURLToPath(new URL(path, import.meta.url))

// The shared tests (packages/opentelemetry/test/shared) import the line under test through
// neutral names: here they are this package and its kit (test/line.ts), so the same files
// run on Effect 4 as on Effect 3.
export default defineConfig({
  resolve: {
    alias: {
      "@aio-request/line/core": here("../core/src/index.ts"),
      "@aio-request/line/opentelemetry": here("./test/line.ts"),
      "@aio-request/line/platform": here("../platform/src/index.ts"),
      "@aio-request/line/platform-testkit": here("../platform/test/line.ts"),
      "@aio-request/line/platform-support": here("../platform/test/support/line.ts"),
      "@aio-request/line/testkit": here("../core/test/line.ts")
    }
  },
  test: {
    name: "@aio-request/opentelemetry (effect 4)",
    include: ["test/**/*.test.ts", "../../packages/opentelemetry/test/shared/**/*.test.ts"],
    testTimeout: 30_000,
    hookTimeout: 30_000,
    sequence: { concurrent: false }
  }
})
