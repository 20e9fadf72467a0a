import { mergeConfig } from "vitest/config"
import { coreAliases } from "../../vitest.lines.js"
import shared from "../../vitest.shared.js"

// The shared tests (test/shared) import the line under test through neutral names: here they
// are this package and its kit (test/line.ts); effect4/core maps them to the Effect 4 line.
export default mergeConfig(shared, {
  resolve: {
    alias: coreAliases(import.meta.url)
  }
})
