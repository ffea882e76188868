import Ajv from 'ajv';
import { configSchema as gateway } from '../../../../services/api-gateway/src/api-gateway.config';
import { configSchema as clusterApi } from '../../../../services/cluster-api/src/cluster-api.config';
import { configSchema as crxRuntime } from '../../../../services/crx-runtime/src/crx-runtime.config';
import { configSchema as policy } from '../../../../services/policy/src/policy.config';
import { configSchema as scheduler } from '../../../../services/scheduler/src/scheduler.config';
import { configSchema as sphereletAgent } from '../../../../services/spherelet-agent/src/spherelet-agent.config';
import { configSchema as vmOperator } from '../../../../services/vm-operator/src/vm-operator.config';

/** loadConfig does not check a schema against the meta-schema at every start (validateSchema off): this does, once. */
describe('every service\'s configuration schema', () => {
  it('is accepted by JSON Schema\'s meta-schema', () => {
    const ajv = new Ajv({ strict: false });
    const schemas = { gateway, clusterApi, crxRuntime, policy, scheduler, sphereletAgent, vmOperator };
    for (const [service, schema] of Object.entries(schemas)) {
      expect({ service, valid: ajv.validateSchema(schema), errors: ajv.errorsText(ajv.errors) }).toEqual({ service, valid: true, errors: 'No errors' });
    }
    expect(ajv.validateSchema({ type: 'object', properties: { PORT: { type: 'integr' } } })).toBe(false);
  });
});
