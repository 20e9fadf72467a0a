import { fileURLToPath } from "node:url"
import { mergeConfig } from "vitest/config"
import shared from "../../vitest.shared.js"

const here = (path: string) => fileURLToPath(new URL(path, import.meta.url))

// The shared tests (test/shared) import the line under test through neutral names: here they
// are this package and its kit (test/line.ts); effect4/platform maps them to the Effect 4 line.
export default mergeConfig(shared, {
  resolve: {
    alias: {
      "@aio-request/line/core": here("./node_modules/@aio-request/core/src/index.ts"),
      "@aio-request/line/platform": here("./src/index.ts"),
      "@aio-request/line/platform-testkit": here("./test/line.ts"),
      "@aio-request/line/platform-support": here("./test/support/line.ts"),
      "@aio-request/line/testkit": here("../core/test/line.ts")
    }
  }
})
