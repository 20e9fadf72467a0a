import { defineConfig } from "vitest/config"
import { coreAliases } from "../../vitest.lines.js"

// The shared tests (packages/core/test/shared) import the line under test through neutral
// names: here they are this package and its kit (test/line.ts), so the same files run on
// Effect 4 as on Effect 3.
export default defineConfig({
  resolve: {
    alias: coreAliases(import.meta.url)
  },
  test: {
    name: "@aio-request/core (effect 4)",
    include: ["test/**/*.test.ts", "../../packages/core/test/shared/**/*.test.ts"],
    testTimeout: 30_000,
    hookTimeout: 30_000,
    sequence: { concurrent: false }
  }
})
