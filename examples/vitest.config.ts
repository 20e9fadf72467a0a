import { fileURLToPath } from "node:url"
import { mergeConfig } from "vitest/config"
import shared from "../vitest.shared.js"

const here = (path: string) => fileURLToPath(new URL(path, import.meta.url))

// The demo's scenes and their shared test (test/shared) import the line they run on through
// neutral names: here the Effect 3 line and its glue (src/demo/line.ts); effect4/examples maps
// them to the Effect 4 line.
export default mergeConfig(shared, {
  resolve: {
    alias: {
      "@aio-request/line/core": here("../packages/core/src/index.ts"),
      "@aio-request/line/platform": here("../packages/platform/src/index.ts"),
      "@aio-request/line/demo": here("./src/demo/line.ts"),
      "@aio-request/line/testkit": here("../packages/core/test/line.ts")
    }
  }
})
