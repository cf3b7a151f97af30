/**
 * `GET /metadata`: the CapabilityStatement (https://hl7.org/fhir/R4/capabilitystatement.html), generated from
 * what the server really supports: every R4 resource type with the interactions and operations of the route
 * table (route-table.ts), every search parameter of each type (its type and documentation) and the `_include` /
 * `_revinclude` values.
 */
import { getResourceTypes, getSearchParameters } from '@medplum/core';
import type {
  CapabilityStatementRestSecurity,
  CapabilityStatement,
  CapabilityStatementRestResource,
  CapabilityStatementRestResourceSearchParam,
  SearchParameter,
} from '@medplum/fhirtypes';
import type { Config } from '../config.ts';
import { authUrls } from '../auth/context.ts';
import { isSupported } from '../search/compile-parameter.ts';
import type { FhirRoute } from './route-table.ts';

/** Search parameters the server answers whatever the type (search.html#all, #summary, #count, ...). */
const COMMON_PARAMS: CapabilityStatementRestResourceSearchParam[] = [
  {
    name: '_id',
    type: 'token',
    definition: 'http://hl7.org/fhir/SearchParameter/Resource-id',
    documentation: 'Logical id of this artifact',
  },
  {
    name: '_lastUpdated',
    type: 'date',
    definition: 'http://hl7.org/fhir/SearchParameter/Resource-lastUpdated',
    documentation: 'When the resource version last changed',
  },
  { name: '_list', type: 'special', documentation: 'The resources a List refers to: _list=List/[id] (search.html#list)' },
];

type SearchParamType = CapabilityStatementRestResourceSearchParam['type'];

/** Supported search parameters per type, and the reference parameters that can be followed. */
function searchOf(
  types: string[],
): Map<string, Pick<CapabilityStatementRestResource, 'searchParam' | 'searchInclude' | 'searchRevInclude'>> {
  const out = new Map<string, Pick<CapabilityStatementRestResource, 'searchParam' | 'searchInclude' | 'searchRevInclude'>>();
  const revinclude = new Map<string, string[]>();
  const params = new Map<string, [string, SearchParameter][]>();
  for (const type of types) {
    const list = Object.entries(getSearchParameters(type) ?? {}).sort(([a], [b]) => a.localeCompare(b));
    params.set(type, list);
    for (const [code, p] of list) {
      if (p.type !== 'reference') continue;
      for (const target of p.target ?? []) {
        const values = revinclude.get(target) ?? [];
        values.push(`${type}:${code}`);
        revinclude.set(target, values);
      }
    }
  }
  for (const type of types) {
    const list = params.get(type) ?? [];
    // Only what a search can use: not the special parameters (but Location near), nor a composite with an unknown component.
    const searchParam: CapabilityStatementRestResourceSearchParam[] = list
      .filter(([, p]) => isSupported(type, p))
      .map(([code, p]) => ({
        name: code,
        ...(p.url ? { definition: p.url } : {}),
        type: p.type as SearchParamType,
        ...(p.description ? { documentation: p.description } : {}),
      }));
    for (const common of COMMON_PARAMS) if (!searchParam.some((s) => s.name === common.name)) searchParam.unshift(common);
    const searchInclude = ['*', ...list.filter(([, p]) => p.type === 'reference').map(([code]) => `${type}:${code}`)];
    out.set(type, { searchParam, searchInclude, searchRevInclude: [...new Set(revinclude.get(type) ?? [])].sort() });
  }
  return out;
}

/** The operations of the routes of one scope, each named once. */
function operationsOf(routes: readonly FhirRoute[], scope: 'type' | 'system') {
  const seen = new Map<string, { name: string; definition: string }>();
  for (const { operation } of routes)
    if (operation?.scope === scope) seen.set(operation.name, { name: operation.name, definition: operation.definition });
  return [...seen.values()];
}

export function capabilityStatement(config: Config, version: string, routes: readonly FhirRoute[]): CapabilityStatement {
  const types = getResourceTypes().sort();
  const typeInteractions = [...new Set(routes.flatMap((r) => r.typeInteractions ?? []))];
  const systemInteractions = [...new Set(routes.flatMap((r) => r.systemInteractions ?? []))];
  const typeOperations = operationsOf(routes, 'type');
  const search = searchOf(types);
  const resource: CapabilityStatementRestResource[] = types.map((type) => ({
    type,
    profile: `http://hl7.org/fhir/StructureDefinition/${type}`,
    interaction: typeInteractions.map((code) => ({ code })),
    versioning: 'versioned-update',
    readHistory: true,
    updateCreate: true,
    conditionalCreate: true,
    conditionalRead: 'full-support',
    conditionalUpdate: true,
    conditionalDelete: config.conditionalDeleteMultiple ? 'multiple' : 'single',
    operation: typeOperations,
    ...search.get(type),
  }));
  return {
    resourceType: 'CapabilityStatement',
    status: 'active',
    date: new Date().toISOString(),
    kind: 'instance',
    software: { name: 'Fhirline', version },
    implementation: { description: 'Fhirline FHIR R4 server', url: config.baseUrl },
    fhirVersion: '4.0.1',
    format: ['application/fhir+json', 'json'],
    patchFormat: ['application/json-patch+json'],
    rest: [
      {
        mode: 'server',
        security: smartSecurity(config.baseUrl),
        resource,
        interaction: systemInteractions.map((code) => ({ code })),
        searchParam: COMMON_PARAMS,
        operation: operationsOf(routes, 'system'),
      },
    ],
  };
}

/**
 * SMART on FHIR (https://hl7.org/fhir/smart-app-launch/conformance.html#using-cors): the service code and the
 * oauth-uris extension, for clients that read the CapabilityStatement instead of `.well-known/smart-configuration`.
 */
function smartSecurity(baseUrl: string): CapabilityStatementRestSecurity {
  const urls = authUrls(baseUrl);
  const uri = (url: string, valueUri: string) => ({ url, valueUri });
  return {
    service: [
      {
        coding: [{ system: 'http://terminology.hl7.org/CodeSystem/restful-security-service', code: 'SMART-on-FHIR' }],
        text: 'OAuth2 using SMART-on-FHIR profile (see http://docs.smarthealthit.org)',
      },
    ],
    extension: [
      {
        url: 'http://fhir-registry.smarthealthit.org/StructureDefinition/oauth-uris',
        extension: [
          uri('token', urls.token),
          uri('authorize', urls.authorize),
          uri('introspect', urls.introspect),
          uri('revoke', urls.revoke),
        ],
      },
    ],
  };
}
