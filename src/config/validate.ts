// Validation of configuration files (tyk.conf, API definitions) with zod, turning zod's issues into messages a
// Tyk user can act on: "<file>: <field>: <what is wrong>". Fields Tyk has but we do not implement are not errors;
// they are collected as "unknown fields" so the caller can warn once and carry on.
//
// Field paths are dotted, array elements are written "[i]", and object keys that are not plain identifiers
// (e.g. a version called "v1.0") are written ["v1.0"]:
//   version_data.versions.Default.extended_paths.go_plugin[0].path
//   version_data.versions["v1.0"].extended_paths.transform
import { readFileSync } from "node:fs";
import { z } from "zod";
import { dataRecordValues, isJsonObject } from "./records.ts";

/** One problem found in a configuration file: the dotted field path ("" for the file as a whole) and what is wrong. */
export interface ConfigProblem {
  readonly field: string;
  readonly message: string;
}

/** A configuration file that cannot be used. `message` is `<file>: <field>: <what is wrong>`, one line per problem. */
export class ConfigError extends Error {
  /** The file, as the caller named it. */
  readonly file: string;
  /** Dotted path of the first problem's field; "" when the file as a whole is the problem (unreadable, bad JSON). */
  readonly field: string;
  /** Every problem found, in document order; the first is the one `field` names. */
  readonly problems: readonly ConfigProblem[];

  constructor(file: string, problems: readonly ConfigProblem[]) {
    const list = problems.length > 0 ? problems : [{ field: "", message: "invalid configuration" }];
    super(list.map((p) => problemLine(file, p)).join("\n"));
    this.name = "ConfigError";
    this.file = file;
    this.field = list[0].field;
    this.problems = list;
  }

  /** A single problem, e.g. `ConfigError.of("apps/a.json", "api_id", "duplicate of apps/b.json")`. */
  static of(file: string, field: string, message: string): ConfigError {
    return new ConfigError(file, [{ field, message }]);
  }
}

function problemLine(file: string, p: ConfigProblem): string {
  return p.field === "" ? `${file}: ${p.message}` : `${file}: ${p.field}: ${p.message}`;
}

/** What `parseConfig` returns: the validated value (defaults applied) and the fields the schema does not know. */
export interface ParsedConfig<T> {
  value: T;
  /** Dotted paths of input keys the schema does not know, in document order. Their values are not descended into. */
  unknownFields: string[];
}

/**
 * Validates `data` against `schema`. Throws a ConfigError naming `file` and listing every problem (one line each);
 * on success returns the parsed value and the unknown fields (see the path format at the top of this file).
 */
export function parseConfig<S extends z.ZodType>(schema: S, data: unknown, file: string): ParsedConfig<z.output<S>> {
  const result = schema.safeParse(data);
  if (!result.success) {
    const seen = new Set<string>();
    const problems: ConfigProblem[] = [];
    for (const issue of result.error.issues) {
      const p = { field: formatPath(issue.path), message: describeIssue(issue, data) };
      const key = `${p.field}\0${p.message}`;
      if (!seen.has(key)) {
        seen.add(key);
        problems.push(p);
      }
    }
    throw new ConfigError(file, problems);
  }
  const unknownFields: string[] = [];
  collectUnknown(schema, data, [], unknownFields);
  return { value: result.data, unknownFields: [...new Set(unknownFields)] };
}

// ---------------------------------------------------------------------------------------------------------------
// Paths

const PLAIN_KEY = /^[A-Za-z0-9_$-]+$/;

/** Formats a path as used in messages and unknownFields: `a.b[0].c`, with odd keys quoted: `versions["v1.0"]`. */
export function formatPath(path: readonly PropertyKey[]): string {
  let out = "";
  for (const seg of path) {
    if (typeof seg === "number") out += `[${seg}]`;
    else {
      const key = String(seg);
      if (PLAIN_KEY.test(key)) out += out === "" ? key : `.${key}`;
      else out += `[${JSON.stringify(key)}]`;
    }
  }
  return out;
}

/** The input value at `path`, and whether it is there at all (a missing key is not the same as null). */
function lookup(data: unknown, path: readonly PropertyKey[]): { present: boolean; value: unknown } {
  let cur: unknown = data;
  for (const seg of path) {
    if (Array.isArray(cur) && typeof seg === "number" && seg < cur.length) cur = cur[seg];
    else if (isJsonObject(cur) && typeof seg !== "symbol" && Object.hasOwn(cur, String(seg))) cur = cur[String(seg)];
    else return { present: false, value: undefined };
  }
  return { present: true, value: cur };
}

// ---------------------------------------------------------------------------------------------------------------
// Messages

/** JSON's name for a value's type, as a Tyk user would say it: "number", "string", "array", "object", "null". */
function jsonType(v: unknown): string {
  if (v === null) return "null";
  if (Array.isArray(v)) return "array";
  return typeof v;
}

/** A short rendering of a value for messages. */
function show(v: unknown): string {
  if (v === undefined) return "nothing";
  if (isJsonObject(v)) return "an object";
  if (Array.isArray(v)) return "an array";
  const s = JSON.stringify(v) ?? String(v);
  return s.length > 60 ? `${s.slice(0, 57)}...` : s;
}

const EXPECTED: Record<string, string> = {
  string: "a string",
  number: "a number",
  int: "an integer",
  boolean: "true or false",
  object: "an object",
  record: "an object",
  array: "an array",
  null: "null",
};

// zod's own English messages start like this; anything else was written in a schema and is already user-facing.
function isZodDefaultMessage(message: string): boolean {
  return /^Invalid (input|option)/.test(message);
}

function describeIssue(issue: z.core.$ZodIssue, data: unknown): string {
  const { present, value } = lookup(data, issue.path);
  switch (issue.code) {
    case "invalid_type": {
      const want = isZodDefaultMessage(issue.message)
        ? `expected ${EXPECTED[issue.expected] ?? issue.expected}`
        : issue.message;
      if (!present) return `required field is missing (${want})`;
      // Tyk's JSON is typed: "8080" is not a number. Say so, since it is the usual hand-editing slip.
      if (typeof value === "string") {
        const trimmed = value.trim();
        if (
          (issue.expected === "number" || issue.expected === "int") && trimmed !== "" &&
          Number.isFinite(Number(trimmed))
        ) {
          return `${want}, got string ${show(value)} (write numbers without quotes)`;
        }
        if (issue.expected === "boolean" && (trimmed === "true" || trimmed === "false")) {
          return `${want}, got string ${show(value)} (write true or false without quotes)`;
        }
      }
      return `${want}, got ${jsonType(value)}`;
    }
    case "invalid_value": {
      const values = issue.values.map((v) => JSON.stringify(v)).join(", ");
      return issue.values.length === 1
        ? `expected ${values}, got ${show(value)}`
        : `expected one of ${values}, got ${show(value)}`;
    }
    case "too_small": {
      if (!isZodDefaultMessage(issue.message) && !issue.message.startsWith("Too small")) return issue.message;
      if (issue.origin === "string" && Number(issue.minimum) === 1) return "must not be empty";
      if (issue.origin === "number" || issue.origin === "int") {
        return `must be ${issue.inclusive === false ? "greater than" : "at least"} ${issue.minimum}, got ${
          show(value)
        }`;
      }
      if (issue.origin === "array") return `must have at least ${issue.minimum} item(s)`;
      return issue.message;
    }
    case "too_big": {
      if (!isZodDefaultMessage(issue.message) && !issue.message.startsWith("Too big")) return issue.message;
      if (issue.origin === "number" || issue.origin === "int") {
        return `must be ${issue.inclusive === false ? "less than" : "at most"} ${issue.maximum}, got ${show(value)}`;
      }
      return issue.message;
    }
    case "unrecognized_keys":
      return `unknown field(s): ${issue.keys.join(", ")}`;
    default:
      return issue.message;
  }
}

// ---------------------------------------------------------------------------------------------------------------
// Unknown fields: walk the schema alongside the input.

// The parts of zod's internal schema definition the walk needs. zod v4 keeps them on `schema._zod.def`.
interface SchemaDef {
  type: string;
  innerType?: z.ZodType;
  in?: z.ZodType;
  out?: z.ZodType;
  shape?: Readonly<Record<string, z.ZodType>>;
  element?: z.ZodType;
  valueType?: z.ZodType;
  options?: readonly z.ZodType[];
  getter?: () => z.ZodType;
}

function defOf(schema: z.ZodType): SchemaDef {
  return schema._zod.def as unknown as SchemaDef;
}

/**
 * Records the keys of `data` that `schema` does not declare. Keys an object schema does not list are unknown even
 * if a catchall validates them (that is how "tolerated" fields are both checked and reported); keys of a record are
 * known. An unknown key's value is not descended into: one warning per ignored field, not per leaf.
 */
function collectUnknown(schema: z.ZodType, data: unknown, path: PropertyKey[], out: string[]): void {
  if (data === undefined || data === null) return;
  const recordValues = dataRecordValues(schema);
  if (recordValues) {
    if (isJsonObject(data)) for (const key of Object.keys(data)) collectUnknown(recordValues, data[key], [...path, key], out);
    return;
  }
  const def = defOf(schema);
  switch (def.type) {
    case "optional":
    case "nullable":
    case "default":
    case "prefault":
    case "catch":
    case "readonly":
    case "nonoptional":
      if (def.innerType) collectUnknown(def.innerType, data, path, out);
      return;
    case "pipe": {
      // A preprocess pipe starts with a bare transform: the shape that describes the input is then `out`.
      const first = def.in;
      if (first && defOf(first).type !== "transform") collectUnknown(first, data, path, out);
      else if (def.out) collectUnknown(def.out, data, path, out);
      return;
    }
    case "lazy":
      if (def.getter) collectUnknown(def.getter(), data, path, out);
      return;
    case "union": {
      const match = def.options?.find((o) => o.safeParse(data).success);
      if (match) collectUnknown(match, data, path, out);
      return;
    }
    case "object": {
      if (!isJsonObject(data) || !def.shape) return;
      for (const key of Object.keys(data)) {
        // Own keys only: a field named "constructor" or "__proto__" is unknown, not Object.prototype's.
        const child = Object.hasOwn(def.shape, key) ? def.shape[key] : undefined;
        if (child) collectUnknown(child, data[key], [...path, key], out);
        else out.push(formatPath([...path, key]));
      }
      return;
    }
    case "record": {
      if (!isJsonObject(data) || !def.valueType) return;
      for (const key of Object.keys(data)) collectUnknown(def.valueType, data[key], [...path, key], out);
      return;
    }
    case "array": {
      if (!Array.isArray(data) || !def.element) return;
      data.forEach((item, i) => collectUnknown(def.element as z.ZodType, item, [...path, i], out));
      return;
    }
    default:
      return; // primitives, unknown/any: nothing below them is a field
  }
}

// ---------------------------------------------------------------------------------------------------------------
// Reading JSON files

function fsReason(err: unknown): string {
  const code = isJsonObject(err) || err instanceof Error ? (err as { code?: unknown }).code : undefined;
  switch (code) {
    case "ENOENT":
      return "no such file";
    case "EACCES":
    case "EPERM":
      return "permission denied";
    case "EISDIR":
      return "is a directory, not a file";
    default:
      return err instanceof Error ? err.message : String(err);
  }
}

/**
 * Reads and parses a JSON file. Throws a ConfigError naming the file when it cannot be read or is not valid JSON;
 * for invalid JSON the message gives the line and column (computed here, because Bun's parser does not say where).
 */
export function readJsonFile(path: string): unknown {
  let text: string;
  try {
    text = readFileSync(path, "utf8");
  } catch (err) {
    throw ConfigError.of(path, "", `cannot read file: ${fsReason(err)}`);
  }
  if (text.charCodeAt(0) === 0xfeff) text = text.slice(1); // editors on Windows like to add a BOM
  if (text.trim() === "") throw ConfigError.of(path, "", "invalid JSON: the file is empty");
  try {
    return JSON.parse(text);
  } catch (err) {
    const found = findJsonSyntaxError(text);
    if (found) {
      const { line, column } = lineAndColumn(text, found.offset);
      throw ConfigError.of(path, "", `invalid JSON at line ${line}, column ${column}: ${found.reason}`);
    }
    throw ConfigError.of(path, "", `invalid JSON: ${err instanceof Error ? err.message : String(err)}`);
  }
}

/** 1-based line and column of a character offset. */
export function lineAndColumn(text: string, offset: number): { line: number; column: number } {
  let line = 1;
  let lineStart = 0;
  for (let i = 0; i < offset && i < text.length; i++) {
    if (text.charCodeAt(i) === 10) {
      line++;
      lineStart = i + 1;
    }
  }
  return { line, column: offset - lineStart + 1 };
}

/**
 * Finds the first JSON syntax error in `text` (RFC 8259) and says what is wrong there, with hints for the usual
 * hand-editing mistakes (trailing commas, comments, single quotes). Returns undefined for valid JSON.
 */
export function findJsonSyntaxError(text: string): { offset: number; reason: string } | undefined {
  const n = text.length;
  let i = 0;
  class Stop {
    constructor(readonly offset: number, readonly reason: string) {}
  }
  const fail = (offset: number, reason: string): never => {
    throw new Stop(offset, reason);
  };
  const at = (k: number): string => {
    if (k >= n) return "end of file";
    const cp = text.codePointAt(k) ?? 0;
    return JSON.stringify(String.fromCodePoint(cp));
  };
  const isDigit = (k: number): boolean => k < n && text.charCodeAt(k) >= 48 && text.charCodeAt(k) <= 57;
  const skipWs = (): void => {
    while (i < n) {
      const c = text.charCodeAt(i);
      if (c === 32 || c === 9 || c === 10 || c === 13) i++;
      else break;
    }
  };
  const noComment = (): void => {
    if (text[i] === "/" && (text[i + 1] === "/" || text[i + 1] === "*")) fail(i, "comments are not allowed in JSON");
  };

  const string = (): void => {
    const start = i;
    i++; // opening quote
    for (;;) {
      if (i >= n) fail(start, "unterminated string");
      const c = text.charCodeAt(i);
      if (c === 34) {
        i++;
        return;
      }
      if (c === 92) {
        const e = text[i + 1];
        if (e !== undefined && '"\\/bfnrt'.includes(e)) i += 2;
        else if (e === "u") {
          if (!/^[0-9A-Fa-f]{4}$/.test(text.slice(i + 2, i + 6))) fail(i, "invalid \\u escape (needs 4 hex digits)");
          i += 6;
        } else fail(i, `invalid escape sequence ${JSON.stringify(`\\${e ?? ""}`)}`);
        continue;
      }
      if (c === 10 || c === 13) fail(start, "unterminated string (line break inside a string)");
      if (c < 0x20) fail(i, "control characters inside strings must be escaped");
      i++;
    }
  };

  const number = (): void => {
    const start = i;
    if (text[i] === "-") i++;
    if (text[i] === "0") {
      i++;
      if (isDigit(i)) fail(start, "numbers cannot have leading zeros");
    } else if (isDigit(i)) {
      while (isDigit(i)) i++;
    } else fail(i, `invalid number: unexpected ${at(i)}`);
    if (text[i] === ".") {
      i++;
      if (!isDigit(i)) fail(i, 'invalid number: expected a digit after "."');
      while (isDigit(i)) i++;
    }
    if (text[i] === "e" || text[i] === "E") {
      i++;
      if (text[i] === "+" || text[i] === "-") i++;
      if (!isDigit(i)) fail(i, "invalid number: expected a digit in the exponent");
      while (isDigit(i)) i++;
    }
  };

  const value = (expected: string): void => {
    skipWs();
    if (i >= n) fail(i, `unexpected end of file, expected ${expected}`);
    noComment();
    const c = text[i];
    if (c === "{") return object();
    if (c === "[") return array();
    if (c === '"') return string();
    if (c === "'") return fail(i, "strings must use double quotes, not single quotes");
    if (c === "-" || isDigit(i)) return number();
    for (const word of ["true", "false", "null"]) {
      if (text.startsWith(word, i)) {
        i += word.length;
        return;
      }
    }
    fail(i, `unexpected ${at(i)}, expected ${expected}`);
  };

  const object = (): void => {
    i++; // {
    skipWs();
    noComment();
    if (text[i] === "}") {
      i++;
      return;
    }
    for (;;) {
      skipWs();
      noComment();
      if (text[i] !== '"') {
        if (text[i] === "}") fail(i, 'trailing comma before "}" is not allowed in JSON');
        if (text[i] === "'") fail(i, "property names must use double quotes, not single quotes");
        if (i < n && /[A-Za-z_$]/.test(text[i])) fail(i, "property names must be double-quoted strings");
        fail(i, `expected a property name in double quotes, got ${at(i)}`);
      }
      string();
      skipWs();
      if (text[i] !== ":") fail(i, `expected ":" after the property name, got ${at(i)}`);
      i++;
      value("a value");
      skipWs();
      noComment();
      if (text[i] === ",") {
        i++;
        continue;
      }
      if (text[i] === "}") {
        i++;
        return;
      }
      fail(i, `expected "," or "}" after a property value, got ${at(i)}`);
    }
  };

  const array = (): void => {
    i++; // [
    skipWs();
    noComment();
    if (text[i] === "]") {
      i++;
      return;
    }
    for (;;) {
      skipWs();
      if (text[i] === "]") fail(i, 'trailing comma before "]" is not allowed in JSON');
      value("a value");
      skipWs();
      noComment();
      if (text[i] === ",") {
        i++;
        continue;
      }
      if (text[i] === "]") {
        i++;
        return;
      }
      fail(i, `expected "," or "]" after an array element, got ${at(i)}`);
    }
  };

  try {
    value("a JSON value");
    skipWs();
    noComment();
    if (i < n) fail(i, `unexpected ${at(i)} after the end of the JSON value`);
    return undefined;
  } catch (err) {
    if (err instanceof Stop) return { offset: err.offset, reason: err.reason };
    throw err;
  }
}
