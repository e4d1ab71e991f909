/**
 * Reads the model classes @kubernetes/client-node generates from Kubernetes' OpenAPI document:
 * each `dist/gen/models/<Name>.js` carries a static `attributeTypeMap` (JSON field names and
 * TypeScript-ish types), and the matching `.d.ts` carries the descriptions as JSDoc and marks
 * required fields by the absence of `?`. Models are loaded on demand and cached for the process.
 */
import { readdirSync } from 'node:fs';
import { readFile } from 'node:fs/promises';

/** One field of a model as client-node describes it. */
export interface ModelField {
  /** The TypeScript property name (`ref` for `$ref`). */
  name: string;
  /** The JSON field name. */
  jsonName: string;
  /** client-node's type: `string`, `number`, `Date`, `any`, `V1Container`, `Array<…>`, `{ [key: string]: …; }`, `IntOrString`. */
  type: string;
  /** OpenAPI format: `int32`, `int64`, `double`, `byte`, `date-time`, `date-time-micro`, `int-or-string` or empty. */
  format: string;
  description?: string;
  required: boolean;
}

/** A model class: its description and fields. */
export interface ModelInfo {
  name: string;
  description?: string;
  fields: ModelField[];
}

interface AttributeType {
  name: string;
  baseName: string;
  type: string;
  format: string;
}

const MODELS_DIR = new URL('./gen/models/', import.meta.resolve('@kubernetes/client-node'));
const DOC_BLOCK = /\/\*\*((?:(?!\*\/)[\s\S])*)\*\/\s*(?:export declare class \w+|'([^']+)'\??:)/g;
const DECLARED_FIELD = /^ {4}'([^']+)'(\?)?:/gm;

const loaded = new Map<string, Promise<ModelInfo>>();
let available: ReadonlySet<string> | undefined;

/** Names of every model client-node ships (read once). */
export function modelNames(): ReadonlySet<string> {
  available ??= new Set(readdirSync(MODELS_DIR).filter((f) => f.endsWith('.js')).map((f) => f.slice(0, -3)));
  return available;
}

/** Whether client-node has a model of that name. */
export function hasModel(name: string): boolean {
  return modelNames().has(name);
}

/** Loads (once per process) a model's fields and descriptions. */
export function loadModel(name: string): Promise<ModelInfo> {
  let pending = loaded.get(name);
  if (!pending) {
    pending = readModel(name);
    loaded.set(name, pending);
  }
  return pending;
}

async function readModel(name: string): Promise<ModelInfo> {
  if (!/^[A-Za-z0-9]+$/.test(name) || !hasModel(name)) throw new Error(`unknown client-node model ${name}`);
  const [module, declaration] = await Promise.all([
    import(new URL(`${name}.js`, MODELS_DIR).href) as Promise<Record<string, { attributeTypeMap?: AttributeType[] }>>,
    readFile(new URL(`${name}.d.ts`, MODELS_DIR), 'utf8'),
  ]);
  const attributes = module[name]?.attributeTypeMap ?? [];
  const docs = parseDocs(declaration);
  const optional = parseOptional(declaration);
  const fields = attributes.map((a): ModelField => ({
    name: a.name,
    jsonName: a.baseName,
    type: a.type,
    format: a.format,
    description: docs.fields.get(a.name),
    required: optional.get(a.name) === false,
  }));
  return { name, description: docs.classDoc, fields };
}

/** JSDoc text: comment stars removed, the generator's backslash escapes undone. */
function docText(block: string): string {
  const lines = block.split('\n').map((line) => line.replace(/^\s*\* ?/, ''));
  return lines.join('\n').trim().replace(/\\(.)/g, '$1');
}

function parseDocs(declaration: string): { classDoc?: string; fields: Map<string, string> } {
  const fields = new Map<string, string>();
  let classDoc: string | undefined;
  for (const match of declaration.matchAll(DOC_BLOCK)) {
    const text = docText(match[1]);
    if (!text) continue;
    if (match[2] === undefined) classDoc = text;
    else fields.set(match[2], text);
  }
  return { classDoc, fields };
}

/** Property name → whether it is optional (`'x'?:`) in the declaration. */
function parseOptional(declaration: string): Map<string, boolean> {
  const optional = new Map<string, boolean>();
  for (const match of declaration.matchAll(DECLARED_FIELD)) optional.set(match[1], match[2] === '?');
  return optional;
}
