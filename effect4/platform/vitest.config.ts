import { defineConfig } from "vitest/config"
import { effect4Tests, platformAliases } from "../../vitest.lines.js"

// The shared tests (packages/platform/test/shared) import the line under test through neutral
// names: here they are this package and its kit (test/line.ts), so the same files run on
// Effect 4 as on Effect 3.
export default defineConfig({
  resolve: {
    alias: platformAliases(import.meta.url)
  },
  test: effect4Tests("platform")
})
