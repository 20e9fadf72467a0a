import { mergeConfig } from "vitest/config"
import { opentelemetryAliases } from "../../vitest.lines.js"
import shared from "../../vitest.shared.js"

// The shared tests (test/shared) import the line under test through a neutral name: here it
// is this package's kit (test/line.ts); effect4/opentelemetry maps it to the Effect 4 line.
export default mergeConfig(shared, {
  resolve: {
    alias: opentelemetryAliases(import.meta.url)
  }
})
