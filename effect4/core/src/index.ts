/**
 * @since 1.0.0
 */
export * as Deadline from "./Deadline.js"

/**
 * @since 1.0.0
 */
export * as Delays from "./Delays.js"

/**
 * @since 1.0.0
 */
export * as Priority from "./Priority.js"

/**
 * @since 1.0.0
 */
export * as RetryBudget from "./RetryBudget.js"

/**
 * @since 1.0.0
 */
export * as Strategy from "./Strategy.js"

/**
 * @since 1.0.0
 */
export * as CircuitBreaker from "./CircuitBreaker.js"

/**
 * @since 1.0.0
 */
export * as Options from "./Options.js"

/**
 * @since 1.0.0
 */
export * as ConcurrencyLimit from "./ConcurrencyLimit.js"
