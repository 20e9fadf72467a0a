import { fileURLToPath } from "node:url"
import { defineConfig } from "vitest/config"

const here = (path: string) => fileURLToPath(new URL(path, import.meta.url))

// The demo's scenes (examples/src/demo) and their shared test (examples/test/shared) import the
// line they run on through neutral names: here the Effect 4 line and its glue (src/line.ts).
export default defineConfig({
  resolve: {
    alias: {
      "@aio-request/line/core": here("../core/src/index.ts"),
      "@aio-request/line/platform": here("../platform/src/index.ts"),
      "@aio-request/line/demo": here("./src/line.ts"),
      "@aio-request/line/testkit": here("../core/test/line.ts")
    }
  },
  test: {
    name: "@aio-request/examples (effect 4)",
    include: ["../../examples/test/shared/**/*.test.ts"],
    testTimeout: 30_000,
    hookTimeout: 30_000,
    sequence: { concurrent: false }
  }
})
