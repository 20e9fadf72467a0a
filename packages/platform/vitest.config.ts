import { mergeConfig } from "vitest/config"
import { platformAliases } from "../../vitest.lines.js"
import shared from "../../vitest.shared.js"

// The shared tests (test/shared) import the line under test through neutral names: here they
// are this package and its kit (test/line.ts); effect4/platform maps them to the Effect 4 line.
export default mergeConfig(shared, {
  resolve: {
    alias: platformAliases(import.meta.url)
  }
})
