/**
 * The neutral names the shared tests import the line under test by (`@aio-request/line/...`),
 * per package: the same on both lines, as each lays its packages out alike (packages/<pkg> for
 * Effect 3, effect4/<pkg> for Effect 4). Written once for every package's vitest.config.ts,
 * which passes its own `import.meta.url`: the paths are read from that package's folder.
 */
import { fileURLToPath } from "node:url"

const from = (configUrl: string) => (path: string): string => fileURLToPath(new URL(path, configUrl))

/** The aliases of core's shared tests: this package and its kit. */
export const coreAliases = (configUrl: string): Record<string, string> => {
  const here = from(configUrl)
  return {
    "@aio-request/line/core": here("./src/index.ts"),
    "@aio-request/line/testkit": here("./test/line.ts")
  }
}

/** The aliases of platform's shared tests: this package, its kits and core's kit. */
export const platformAliases = (configUrl: string): Record<string, string> => {
  const here = from(configUrl)
  return {
    "@aio-request/line/core": here("./node_modules/@aio-request/core/src/index.ts"),
    "@aio-request/line/platform": here("./src/index.ts"),
    "@aio-request/line/platform-testkit": here("./test/line.ts"),
    "@aio-request/line/platform-support": here("./test/support/line.ts"),
    "@aio-request/line/testkit": here("../core/test/line.ts")
  }
}

/** The aliases of opentelemetry's shared tests: this package's kit, and the other packages and kits. */
export const opentelemetryAliases = (configUrl: string): Record<string, string> => {
  const here = from(configUrl)
  return {
    "@aio-request/line/core": here("../core/src/index.ts"),
    "@aio-request/line/opentelemetry": here("./test/line.ts"),
    "@aio-request/line/platform": here("../platform/src/index.ts"),
    "@aio-request/line/platform-testkit": here("../platform/test/line.ts"),
    "@aio-request/line/platform-support": here("../platform/test/support/line.ts"),
    "@aio-request/line/testkit": here("../core/test/line.ts")
  }
}

/** The test options of the Effect 4 line's package `name` (effect4/<name>): its tests and the shared ones. */
export const effect4Tests = (name: "core" | "platform" | "opentelemetry") => ({
  name: `@aio-request/${name} (effect 4)`,
  include: ["test/**/*.test.ts", `../../packages/${name}/test/shared/**/*.test.ts`],
  testTimeout: 30_000,
  hookTimeout: 30_000,
  sequence: { concurrent: false }
})
