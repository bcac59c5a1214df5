// Schema building blocks shared by tyk.conf and API definitions, written for files produced by Go's encoding/json:
// Go writes nil slices and maps as `null` and reads `null` as "leave the zero value", so for lists, maps and
// sections `null` means the same as the field being absent. Scalars stay strict: Tyk's JSON is typed.
import { z } from "zod";
import { dataMap, dataRecord } from "./records.ts";

/**
 * A zod `error` param that words only the wrong-type case ("expected a URL string"), leaving range and format
 * problems to the default messages (validate.ts turns those into "must be at least 0, got -1").
 */
export function typeError(expected: string) {
  return { error: (iss: { code?: string }) => (iss.code === "invalid_type" ? expected : undefined) };
}

/** A nested object whose fields all have defaults; absent or null gives the all-defaults value. */
export function section<S extends z.ZodObject>(schema: S) {
  return schema.nullish().transform((v): z.output<S> => v ?? (schema.parse({}) as z.output<S>));
}

/** An array; absent or null gives []. */
export function list<T extends z.ZodType>(item: T) {
  return z.array(item).nullish().transform((v): z.output<T>[] => v ?? []);
}

/** An object used as a map (string keys, kept as data: see records.ts); absent or null gives an empty one. */
export function dict<T extends z.ZodType>(value: T) {
  return dataRecord(value).nullish().transform((v): Record<string, z.output<T>> => v ?? dataMap());
}

/** A boolean, false unless set (Go's zero value). */
export function flag(defaultValue = false) {
  return z.boolean().default(defaultValue);
}

/** A string, "" unless set. */
export function text(defaultValue = "") {
  return z.string().default(defaultValue);
}

/**
 * A duration in seconds that Tyk documents as "defaults to N". Go cannot tell 0 from absent, so 0 means N too.
 * Fractions are allowed where Tyk's field is a float.
 */
export function seconds(defaultValue: number, opts: { integer?: boolean } = {}) {
  const base = opts.integer ? z.number().int() : z.number();
  return base.min(0).default(defaultValue).transform((v) => (v === 0 ? defaultValue : v));
}
