import { defineConfig } from "vitest/config"

// The Effect 4 test projects (vitest 5, Node 22): run with `pnpm test:effect4` from the root.
// Separate from the root's vitest 3 projects, which never glob effect4/.
export default defineConfig({
  test: { projects: ["core", "platform", "opentelemetry", "examples"] }
})
