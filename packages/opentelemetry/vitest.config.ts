import { fileURLToPath } from "node:url"
import { mergeConfig } from "vitest/config"
import shared from "../../vitest.shared.js"

const here = (path: string) => fileURLToPath(new URL(path, import.meta.url))

// The shared tests (test/shared) import the line under test through a neutral name: here it
// is this package's kit (test/line.ts); effect4/opentelemetry maps it to the Effect 4 line.
export default mergeConfig(shared, {
  resolve: {
    alias: {
      "@aio-request/line/core": here("../core/src/index.ts"),
      "@aio-request/line/opentelemetry": here("./test/line.ts"),
      "@aio-request/line/platform": here("../platform/src/index.ts"),
      "@aio-request/line/platform-testkit": here("../platform/test/line.ts"),
      "@aio-request/line/platform-support": here("../platform/test/support/line.ts"),
      "@aio-request/line/testkit": here("../core/test/line.ts")
    }
  }
})
