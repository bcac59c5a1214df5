// JSON objects used as maps: their keys are data chosen by whoever wrote the JSON (API ids in access_rights, version
// names, metadata names, operation ids), not field names. Go reads such an object into a map, where any string is
// just a key; a plain JavaScript object would instead give "__proto__" to the prototype setter and answer lookups of
// "constructor", "toString" or "hasOwnProperty" from Object.prototype. So every map read from outside is built here:
// a null-prototype object holding exactly the JSON's own keys, "__proto__" included, as data.
import { z } from "zod";

// The schemas dataRecord built, with their value schema.
const recordValues = new WeakMap<z.ZodType, z.ZodType>();

/** The value schema of a schema `dataRecord` built, else undefined (validate.ts walks such maps' values). */
export function dataRecordValues(schema: z.ZodType): z.ZodType | undefined {
  return recordValues.get(schema);
}

/** A null-prototype object with the given entries: Object.fromEntries for maps keyed by user data. */
export function dataMap<T>(entries: Iterable<readonly [string, T]> = []): Record<string, T> {
  const out: Record<string, T> = Object.create(null);
  // On a null-prototype object, assigning "__proto__" creates an own property like any other key.
  for (const [key, value] of entries) out[key] = value;
  return out;
}

/** `map[key]` when `key` is one of the map's own keys, else undefined: never a member of Object.prototype. */
export function ownValue<T>(map: Readonly<Record<string, T>> | null | undefined, key: string): T | undefined {
  return map != null && Object.hasOwn(map, key) ? map[key] : undefined;
}

/** A JSON object (not null, not an array). */
export function isJsonObject(v: unknown): v is Record<string, unknown> {
  return typeof v === "object" && v !== null && !Array.isArray(v);
}

/**
 * A JSON object used as a map from strings to `values` (Go: `map[string]T`). Parses to a null-prototype object (see
 * the top of this file) holding every own key of the input, each value checked by `values`. A value's problems are
 * reported at `<key>.<its path>`; anything but an object is an `invalid_type` issue expecting "record" (validate.ts
 * words it "expected an object, got array"). null and undefined are refused too: wrap with `.nullish()` where Go's
 * `null` map is allowed.
 */
export function dataRecord<T extends z.ZodType>(values: T) {
  const schema = z.unknown().transform((input, ctx): Record<string, z.output<T>> => {
    if (!isJsonObject(input)) {
      ctx.addIssue({ code: "invalid_type", expected: "record", input });
      return z.NEVER;
    }
    const out = dataMap<z.output<T>>();
    for (const key of Object.keys(input)) {
      const r = values.safeParse(input[key]);
      if (r.success) out[key] = r.data;
      else for (const issue of r.error.issues) ctx.addIssue({ ...issue, path: [key, ...issue.path] });
    }
    return out;
  });
  recordValues.set(schema, values);
  return schema;
}
