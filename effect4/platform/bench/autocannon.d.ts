// The part of autocannon's API the server load benchmark uses (the package ships no types).
declare module "autocannon" {
  interface Options {
    readonly url: string
    readonly connections?: number
    readonly duration?: number
    readonly headers?: Record<string, string>
  }
  interface Result {
    readonly non2xx: number
    readonly requests: { readonly average: number; readonly total: number }
  }
  const autocannon: (options: Options) => Promise<Result>
  export default autocannon
}
