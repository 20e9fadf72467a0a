import { defineConfig } from "vitest/config"
import projects from "./vitest.workspace.js"

// The projects are listed in vitest.workspace.ts; vitest 3.2 reads them here through
// `test.projects` (a workspace file found on its own is deprecated and prints a notice).
export default defineConfig({
  test: { projects }
})
