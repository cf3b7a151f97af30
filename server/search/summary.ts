/**
 * `_summary` and `_elements` (https://hl7.org/fhir/R4/search.html#summary, #elements): a subset of each
 * resource, marked with the `SUBSETTED` tag as the spec asks.
 */
import { getDataType, tryGetDataType } from '@medplum/core';
import type { Coding } from '@medplum/fhirtypes';
import type { SummaryMode } from './parse-search.ts';

export const SUBSETTED: Coding = {
  system: 'http://terminology.hl7.org/CodeSystem/v3-ObservationValue',
  code: 'SUBSETTED',
  display: 'Resource encoded in summary mode',
};

type Json = Record<string, unknown>;

/** The resource as the request asks for it; the same object when nothing is removed. */
export function subset(resource: Json, summary: SummaryMode | undefined, elements: string[] | undefined): Json {
  const type = resource.resourceType as string;
  let keep: ((key: string) => boolean) | undefined;
  if (summary === 'true') {
    const props = schemaProperties(type, 'summary');
    keep = (key) => props(key);
  } else if (summary === 'text') {
    const mandatory = schemaProperties(type, 'mandatory');
    keep = (key) => key === 'text' || key === 'id' || key === 'meta' || mandatory(key);
  } else if (summary === 'data') {
    keep = (key) => key !== 'text';
  } else if (elements && elements.length > 0) {
    const mandatory = schemaProperties(type, 'mandatory');
    const wanted = new Set(elements.map((e) => e.split('.')[0]));
    // Servers SHOULD return mandatory elements whether requested or not (search.html#elements).
    keep = (key) => key === 'id' || key === 'meta' || wanted.has(key) || choiceBase(type, key, wanted) || mandatory(key);
  }
  if (!keep) return resource;
  const out: Json = { resourceType: type };
  for (const [key, value] of Object.entries(resource)) {
    if (key !== 'resourceType' && keep(key)) out[key] = value;
  }
  const meta = { ...((out.meta as Json | undefined) ?? {}) };
  const tags = ((meta.tag as Coding[] | undefined) ?? []).filter((t) => t.code !== SUBSETTED.code);
  meta.tag = [...tags, SUBSETTED];
  out.meta = meta;
  return out;
}

/**
 * The `_elements` names no searched type has (all types when `types` is empty), looked up as the type's own
 * elements only, so `toString` or `constructor` is unknown.
 */
export function unknownElements(types: string[], elements: string[], allTypes: () => string[]): string[] {
  const searched = types.length > 0 ? types : allTypes();
  return elements.filter((e) => !searched.some((t) => isElementOf(t, e.split('.')[0])));
}

function isElementOf(type: string, name: string): boolean {
  if (name === 'id' || name === 'meta') return true;
  const elements = tryGetDataType(type)?.elements;
  if (!elements) return false;
  return Object.hasOwn(elements, name) || Object.hasOwn(elements, `${name}[x]`) || choiceKey(type, name) !== undefined;
}

/** Does a key of the resource belong to one of the top-level properties (`value[x]` matches `valueQuantity`)? */
function schemaProperties(type: string, kind: 'summary' | 'mandatory'): (key: string) => boolean {
  const schema = getDataType(type);
  const props = (kind === 'summary' ? schema.summaryProperties : schema.mandatoryProperties) ?? new Set<string>();
  return (key: string) => {
    if (key === 'id' || key === 'meta') return kind === 'summary' || props.has(key);
    if (props.has(key)) return true;
    const base = choiceKey(type, key);
    return base !== undefined && props.has(base);
  };
}

function choiceBase(type: string, key: string, wanted: Set<string>): boolean {
  const base = choiceKey(type, key);
  return base !== undefined && (wanted.has(base) || wanted.has(`${base}[x]`));
}

/** `valueQuantity` -> `value` when `value[x]` is an element of the type. */
function choiceKey(type: string, key: string): string | undefined {
  const m = /^([a-z][A-Za-z]*?)([A-Z][A-Za-z]*)$/.exec(key);
  if (!m) return undefined;
  const elements = getDataType(type).elements;
  for (let i = 1; i < key.length; i++) {
    if (key[i] >= 'A' && key[i] <= 'Z' && Object.hasOwn(elements, `${key.slice(0, i)}[x]`)) return key.slice(0, i);
  }
  return undefined;
}
