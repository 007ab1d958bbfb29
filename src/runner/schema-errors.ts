import type { ErrorObject } from 'ajv';
import type { Diagnostic } from './diagnostics.js';
import { didYouMean } from './did-you-mean.js';
import type { JsonSchema } from './json-schema.js';
import { keyNodeAt, nodeAt, positionOf, type PathSegment, type YamlSource } from './yaml-source.js';

export interface SchemaWording {
  /** Errors another check words better: they are dropped. */
  drop?(error: ErrorObject): boolean;
  /** Own wording for an unknown key in a given mapping schema. */
  unknownKey?(schema: JsonSchema, key: string): { message: string; hint?: string } | undefined;
}

/**
 * Turns ajv's errors (allErrors, verbose) into located diagnostics in plain words. For anyOf and
 * oneOf only the alternative that matches the value's type speaks, so an author reads one
 * message about what they meant rather than one per alternative.
 */
export function schemaDiagnostics(source: YamlSource, schema: JsonSchema, errors: ErrorObject[], wording: SchemaWording = {}): Diagnostic[] {
  const resolve = refResolver(schema);
  // A key's own errors (propertyName set) repeat what the propertyNames error says at the key.
  const kept = pickAlternatives(withoutDropped(errors, wording).filter((error) => error.propertyName === undefined), resolve);
  const diagnostics = kept.map((error) => toDiagnostic(source, error, wording, resolve));
  const seen = new Set<string>();
  return diagnostics.filter((d) => {
    const key = `${d.line}:${d.col}:${d.message}`;
    return seen.has(key) ? false : (seen.add(key), true);
  });
}

export function pointerSegments(pointer: string): PathSegment[] {
  if (!pointer) return [];
  return pointer
    .slice(1)
    .split('/')
    .map((s) => s.replace(/~1/g, '/').replace(/~0/g, '~'))
    .map((s) => (/^\d+$/.test(s) ? Number(s) : s));
}

/** Drops what the wording drops; a dropped choice takes its alternatives' errors, which only said why it failed. */
function withoutDropped(errors: ErrorObject[], wording: SchemaWording): ErrorObject[] {
  const dropped = new Set(errors.filter((error) => wording.drop?.(error)));
  const choices = [...dropped].filter((e) => e.keyword === 'anyOf' || e.keyword === 'oneOf');
  const inChoice = (error: ErrorObject) =>
    choices.some(
      (choice) =>
        error.schemaPath.startsWith(`${choice.schemaPath}/`) &&
        (error.instancePath === choice.instancePath || error.instancePath.startsWith(`${choice.instancePath}/`)),
    );
  return errors.filter((error) => !dropped.has(error) && !inChoice(error));
}

type RefResolver = (schema: JsonSchema) => JsonSchema;

/** Follows a `$ref` to a `#/$defs/...` of the root schema; other schemas are returned as they are. */
function refResolver(root: JsonSchema): RefResolver {
  return (schema) => {
    const name = schema.$ref?.match(/^#\/\$defs\/(.+)$/)?.[1];
    return (name && root.$defs?.[name]) || schema;
  };
}

/** Which alternative of an anyOf or oneOf an error comes from, if any. */
function branchOf(error: ErrorObject, choice: ErrorObject, resolve: RefResolver): number | undefined {
  const prefix = `${choice.schemaPath}/`;
  if (error.schemaPath.startsWith(prefix)) return Number(error.schemaPath.slice(prefix.length).split('/')[0]);
  // ajv gives an error inside a $ref the path within the referenced schema, so it is matched by that schema instead.
  if (error.instancePath !== choice.instancePath) return undefined;
  const index = (choice.schema as JsonSchema[]).findIndex((branch) => branch.$ref && resolve(branch) === error.parentSchema);
  return index < 0 ? undefined : index;
}

function pickAlternatives(errors: ErrorObject[], resolve: RefResolver): ErrorObject[] {
  let result = errors;
  const alternatives = errors.filter((e) => e.keyword === 'anyOf' || e.keyword === 'oneOf');
  // Innermost first, so an outer choice sees the inner ones already reduced.
  alternatives.sort((a, b) => b.schemaPath.length - a.schemaPath.length);
  for (const choice of alternatives) {
    if (!result.includes(choice)) continue;
    const branches = new Map<number, ErrorObject[]>();
    for (const error of result) {
      // Steps of one kind share schema paths: only errors inside this choice's value are its branches'.
      const index = error === choice || !isWithin(error.instancePath, choice.instancePath) ? undefined : branchOf(error, choice, resolve);
      if (index !== undefined) branches.set(index, [...(branches.get(index) ?? []), error]);
    }
    const branchErrors = new Set([...branches.values()].flat());
    // yes/no/on/off are text in YAML 1.2: where a boolean is accepted, the author meant the boolean.
    const booleanMeant = isBooleanWord(choice.data) ? [...branches.entries()].filter(([, list]) => list.some((e) => expectsBoolean(e, choice.instancePath))) : [];
    const typeMatched = booleanMeant.length ? booleanMeant : [...branches.entries()].filter(([, list]) => !list.some((e) => isShapeMismatch(e, choice.instancePath)));
    result = result.filter((e) => !branchErrors.has(e));
    if (typeMatched.length > 0) {
      const [, best] = typeMatched.sort((a, b) => a[1].length - b[1].length)[0];
      result = result.filter((e) => e !== choice).concat(best);
    }
  }
  return result;
}

function isWithin(instancePath: string, parent: string): boolean {
  return instancePath === parent || instancePath.startsWith(`${parent}/`);
}

/** A word YAML 1.1 read as a boolean, and YAML 1.2 (which flow reads) as text. */
function isBooleanWord(value: unknown): boolean {
  return typeof value === 'string' && /^(y|yes|n|no|on|off|true|false)$/i.test(value);
}

function booleanHint(word: string): string {
  return /^(true|false)$/i.test(word) ? 'write `true` or `false`, in small letters and without quotes' : 'write `true` or `false`: flow reads yes, no, on and off as text';
}

function expectsBoolean(error: ErrorObject, instancePath: string): boolean {
  return error.keyword === 'type' && error.instancePath === instancePath && [(error.params as { type: string | string[] }).type].flat().includes('boolean');
}

/** The value is not of the kind this alternative takes; a missing key is not that: the kind is right, the content is not. */
function isShapeMismatch(error: ErrorObject, instancePath: string): boolean {
  return error.instancePath === instancePath && ['type', 'const', 'enum'].includes(error.keyword);
}

const TYPE_WORDS: Record<string, string> = {
  string: 'text',
  number: 'a number',
  integer: 'a whole number',
  boolean: 'true or false',
  array: 'a list',
  object: 'a mapping (key: value lines)',
  null: 'empty (null)',
};

function describeValue(value: unknown): string {
  if (value === null || value === undefined) return 'empty';
  if (Array.isArray(value)) return 'a list';
  if (typeof value === 'object') return 'a mapping';
  if (typeof value === 'string') return `the text ${JSON.stringify(value.length > 40 ? `${value.slice(0, 40)}…` : value)}`;
  if (typeof value === 'number') return Number.isInteger(value) ? `the number ${value}` : `the number ${value}`;
  return String(value);
}

function expectedTypes(given: JsonSchema | undefined, resolve: RefResolver): string {
  if (!given) return 'something else';
  const schema = resolve(given);
  // A schema's own type bounds its alternatives (a step is a mapping, whichever step it names).
  const alternatives = schema.type ? undefined : (schema.anyOf ?? schema.oneOf);
  if (alternatives) return [...new Set(alternatives.map((alternative) => expectedTypes(alternative, resolve)))].join(' or ');
  if (schema.enum) return `one of ${schema.enum.map((v) => JSON.stringify(v)).join(', ')}`;
  if (schema.const !== undefined) return JSON.stringify(schema.const);
  const types = Array.isArray(schema.type) ? schema.type : schema.type ? [schema.type] : [];
  if (types.length === 0) return 'something else';
  return types.map((t) => TYPE_WORDS[t] ?? t).join(' or ');
}

function lastKey(path: PathSegment[]): string {
  const last = path[path.length - 1];
  if (typeof last === 'number' && (path[path.length - 2] === 'steps' || path[path.length - 2] === 'else')) return `step ${last + 1}`;
  if (typeof last === 'number') return path.length > 1 ? `item ${last + 1} of "${path[path.length - 2]}"` : `item ${last + 1}`;
  return last === undefined ? 'this value' : `"${last}"`;
}

function toDiagnostic(source: YamlSource, error: ErrorObject, wording: SchemaWording, resolve: RefResolver): Diagnostic {
  const path = pointerSegments(error.instancePath);
  const at = (node: ReturnType<typeof nodeAt>) => positionOf(source, node);
  const base = (pos: { line: number; col: number }, message: string, hint?: string): Diagnostic => ({ file: source.shownPath, line: pos.line, col: pos.col, message, hint });
  const schema = error.parentSchema as JsonSchema | undefined;
  const name = lastKey(path);

  switch (error.keyword) {
    case 'additionalProperties': {
      const key = String((error.params as { additionalProperty: string }).additionalProperty);
      const own = schema && wording.unknownKey?.(schema, key);
      if (own) return base(at(keyNodeAt(source, path, key)), own.message, own.hint);
      const allowed = Object.keys(schema?.properties ?? {});
      const suggestion = didYouMean(key, allowed);
      const where = path.length ? ` in ${name}` : '';
      const list = allowed.length <= 14 ? `allowed here: ${allowed.join(', ')}` : undefined;
      return base(at(keyNodeAt(source, path, key)), `unknown key "${key}"${where}${suggestion ? ` — did you mean "${suggestion}"?` : ''}`, list);
    }
    case 'required': {
      const missing = String((error.params as { missingProperty: string }).missingProperty);
      const description = schema?.properties?.[missing]?.description;
      return base(at(nodeAt(source, path)), `${path.length ? name : 'the file'} is missing "${missing}"`, description ? `${missing}: ${description}` : undefined);
    }
    case 'type':
    case 'anyOf':
    case 'oneOf': {
      const expected = expectedTypes(schema, resolve);
      // An empty value, or one whose schema names no type (a step), is described as it is.
      if (error.data === null || error.data === undefined) return base(at(nodeAt(source, path)), `${name} is empty`, schema?.description);
      if (expected === 'something else') return base(at(nodeAt(source, path)), `${name} cannot be ${describeValue(error.data)}`, schema?.description);
      if (error.keyword === 'type' && isBooleanWord(error.data) && expectsBoolean(error, error.instancePath)) {
        return base(at(nodeAt(source, path)), `${name} must be true or false, but it is the text ${JSON.stringify(error.data)}`, booleanHint(String(error.data)));
      }
      return base(at(nodeAt(source, path)), `${name} must be ${expected}, but it is ${describeValue(error.data)}`, schema?.description);
    }
    case 'enum': {
      const options = (error.params as { allowedValues: unknown[] }).allowedValues;
      const suggestion = typeof error.data === 'string' ? didYouMean(error.data, options.map(String)) : undefined;
      if (options.some((option) => String(option) === String(error.data) && typeof option !== typeof error.data)) {
        return base(at(nodeAt(source, path)), `${name} must be the number ${error.data}, not text`, 'write it without quotes');
      }
      if (error.instancePath === '/version') {
        return base(at(nodeAt(source, path)), `unsupported version ${JSON.stringify(error.data)}; supported versions: ${options.join(', ')}`, 'write `version: 1` at the top of the file');
      }
      return base(at(nodeAt(source, path)), `${name} must be one of ${options.map((v) => JSON.stringify(v)).join(', ')}, but it is ${describeValue(error.data)}${suggestion ? ` — did you mean "${suggestion}"?` : ''}`);
    }
    case 'const':
      return base(at(nodeAt(source, path)), `${name} must be ${JSON.stringify((error.params as { allowedValue: unknown }).allowedValue)}`);
    case 'minimum':
    case 'maximum':
    case 'exclusiveMinimum': {
      const limit = (error.params as { limit: number }).limit;
      const word = error.keyword === 'minimum' ? 'at least' : error.keyword === 'maximum' ? 'at most' : 'more than';
      return base(at(nodeAt(source, path)), `${name} must be ${word} ${limit}, but it is ${error.data}`);
    }
    case 'minItems':
    case 'minLength':
    case 'minProperties':
      return base(at(nodeAt(source, path)), `${name} must not be empty`, schema?.description);
    case 'maxItems':
      return base(at(nodeAt(source, path)), `${name} has too many items (at most ${(error.params as { limit: number }).limit})`);
    case 'uniqueItems':
      return base(at(nodeAt(source, path)), `${name} lists the same value twice`);
    case 'pattern': {
      // The schema's description says what the pattern accepts, in words.
      const accepted = schema?.description?.replace(/\.$/, '');
      return base(at(nodeAt(source, path)), accepted ? `${name} cannot be ${describeValue(error.data)}` : `${name} is not written as expected: ${describeValue(error.data)}`, accepted ? `${accepted}.` : undefined);
    }
    case 'propertyNames': {
      const key = String((error.params as { propertyName: string }).propertyName);
      const hint = schema?.propertyNames?.description ?? 'names start with a letter or _ and hold only letters, digits and _';
      return base(at(keyNodeAt(source, path, key)), `${name} cannot have a key named ${JSON.stringify(key)}`, hint);
    }
    default:
      return base(at(nodeAt(source, path)), `${name} ${error.message ?? 'is not valid'}`);
  }
}
