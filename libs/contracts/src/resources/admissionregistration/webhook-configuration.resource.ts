import { labelSelectorSchema } from '../apps/apps-schema';
import { objectSchema } from '../object-meta.schema';
import { JsonSchema, ResourceDefinition } from '../resource-definition';

/** Where the webhook configurations live in the log and the read model. */
export const MUTATING_WEBHOOK_CONFIGURATIONS_RESOURCE = 'mutatingwebhookconfigurations.admissionregistration.k8s.io';
export const VALIDATING_WEBHOOK_CONFIGURATIONS_RESOURCE = 'validatingwebhookconfigurations.admissionregistration.k8s.io';
export const ADMISSION_REGISTRATION_GROUP = 'admissionregistration.k8s.io';

const str: JsonSchema = { type: 'string' };
const strings: JsonSchema = { type: 'array', items: str };

/** admissionregistration.k8s.io/v1 MutatingWebhook or ValidatingWebhook: the mutating one adds reinvocationPolicy. */
function webhookSchema(mutating: boolean): JsonSchema {
  return {
    type: 'object',
    additionalProperties: false,
    properties: {
      name: str,
      clientConfig: {
        type: 'object',
        additionalProperties: false,
        properties: {
          url: str,
          service: { type: 'object', additionalProperties: false, properties: { namespace: str, name: str, path: str, port: { type: 'integer' } } },
          caBundle: { type: 'string', format: 'byte' },
        },
      },
      rules: {
        type: 'array',
        items: { type: 'object', additionalProperties: false, properties: { operations: strings, apiGroups: strings, apiVersions: strings, resources: strings, scope: str } },
      },
      failurePolicy: str,
      matchPolicy: str,
      namespaceSelector: labelSelectorSchema,
      objectSelector: labelSelectorSchema,
      sideEffects: str,
      timeoutSeconds: { type: 'integer' },
      admissionReviewVersions: strings,
      matchConditions: { type: 'array', items: { type: 'object', additionalProperties: false, properties: { name: str, expression: str } } },
      ...(mutating ? { reinvocationPolicy: str } : {}),
    },
  };
}

function webhookConfigurationResource(kind: 'MutatingWebhookConfiguration' | 'ValidatingWebhookConfiguration'): ResourceDefinition {
  const plural = `${kind.toLowerCase()}s`;
  return {
    group: ADMISSION_REGISTRATION_GROUP,
    kind,
    listKind: `${kind}List`,
    plural,
    singular: kind.toLowerCase(),
    shortNames: [],
    categories: ['api-extensions'],
    scope: 'Cluster',
    strategicMergePatch: true,
    nameFormat: 'dns1123-subdomain',
    subresources: {},
    versions: [
      {
        name: 'v1',
        served: true,
        storage: true,
        schema: objectSchema({ webhooks: { type: 'array', items: webhookSchema(kind === 'MutatingWebhookConfiguration') } }),
        // As kube-apiserver's table printer has them (the name first, added by the table).
        printerColumns: [
          { name: 'Webhooks', type: 'integer', jsonPath: '.webhooks', value: (c) => (Array.isArray(c?.webhooks) ? c.webhooks.length : 0) },
          { name: 'Age', type: 'date', jsonPath: '.metadata.creationTimestamp' },
        ],
      },
    ],
  };
}

/**
 * admissionregistration.k8s.io/v1 MutatingWebhookConfiguration: HTTPS webhooks the policy service calls with an
 * AdmissionReview before a write, which may change the object (services/policy/src/webhooks).
 */
export const mutatingWebhookConfigurationResource = webhookConfigurationResource('MutatingWebhookConfiguration');
/** admissionregistration.k8s.io/v1 ValidatingWebhookConfiguration: HTTPS webhooks that may only allow or refuse a write. */
export const validatingWebhookConfigurationResource = webhookConfigurationResource('ValidatingWebhookConfiguration');
export const webhookConfigurationResources = [mutatingWebhookConfigurationResource, validatingWebhookConfigurationResource];
