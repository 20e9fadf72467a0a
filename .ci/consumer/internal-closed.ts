// The packages' internal modules are not part of their API: the exports maps close them.
// @ts-expect-error "./internal/*" is null in the exports map
import type * as Internal from "@aio-request/core/internal/deadline"

export type Closed = typeof Internal
