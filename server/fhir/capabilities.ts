/**
 * `GET /metadata`: the CapabilityStatement (https://hl7.org/fhir/R4/capabilitystatement.html), generated from
 * what the server really supports: every R4 resource type with the interactions the router serves.
 */
import { getResourceTypes } from '@medplum/core';
import type { CapabilityStatement, CapabilityStatementRestResource } from '@medplum/fhirtypes';
import type { Config } from '../config.ts';

type Interaction = NonNullable<CapabilityStatementRestResource['interaction']>[number]['code'];

const TYPE_INTERACTIONS: Interaction[] = ['read', 'vread', 'update', 'patch', 'delete', 'history-instance', 'history-type', 'create'];

export function capabilityStatement(config: Config, version: string): CapabilityStatement {
  const resource: CapabilityStatementRestResource[] = getResourceTypes()
    .sort()
    .map((type) => ({
      type,
      profile: `http://hl7.org/fhir/StructureDefinition/${type}`,
      interaction: TYPE_INTERACTIONS.map((code) => ({ code })),
      versioning: 'versioned-update',
      readHistory: true,
      updateCreate: true,
      conditionalRead: 'full-support',
      operation: [{ name: 'validate', definition: 'http://hl7.org/fhir/OperationDefinition/Resource-validate' }],
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
        resource,
        interaction: [{ code: 'history-system' }],
      },
    ],
  };
}
