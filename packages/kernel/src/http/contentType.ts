/**
 * Which `Content-Type` a JSON read accepts (Python aio-request's
 * `UnexpectedContentTypeError` rule): `application/json` and any
 * `application/<subtype>+json` (`application/problem+json`), with or without
 * parameters (`; charset=utf-8`), in any letter case, plus the media types the
 * user adds. A missing or empty `Content-Type` is not JSON (RFC 9110 lets a
 * recipient take it as `application/octet-stream`).
 */

/** The media type of a `Content-Type` value, lower-case, without parameters or spaces (`""` when there is none). */
export const mediaType = (contentType: string | undefined): string => {
  if (contentType === undefined) return ""
  const semicolon = contentType.indexOf(";")
  return (semicolon === -1 ? contentType : contentType.slice(0, semicolon)).trim().toLowerCase()
}

const jsonSubtype = /^application\/(?:[a-z0-9!#$&^_.-]+\+)?json$/

/** Whether `contentType` is JSON: `application/json` or `application/*+json`, or one of `extra` (lower-case media types). */
export const isJson = (contentType: string | undefined, extra: ReadonlyArray<string>): boolean => {
  const type = mediaType(contentType)
  return jsonSubtype.test(type) || (extra.length > 0 && type !== "" && extra.includes(type))
}

/** Whether `value` is a media type as `extra` takes it: `type/subtype`, lower-case, no parameters. */
export const isMediaType = (value: string): boolean => /^[a-z0-9!#$&^_.+-]+\/[a-z0-9!#$&^_.+-]+$/.test(value)

/** Why a JSON read was refused, in plain words, naming the content type received. */
export const unexpected = (contentType: string | undefined): string =>
  contentType === undefined || contentType.trim() === ""
    ? "expected a JSON content type (application/json or application/*+json), got no content-type"
    : `expected a JSON content type (application/json or application/*+json), got ${JSON.stringify(contentType)}`
