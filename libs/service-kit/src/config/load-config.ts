import Ajv, { ErrorObject } from 'ajv';
import { CodedError, ErrorCodes } from '@openpacific/contracts';
import { addConfigFormats } from './config-formats';

type Env = Record<string, string | undefined>;

/**
 * Reads the variables a schema names from the environment, coerces numbers
 * and booleans, applies defaults and validates. Unset or empty variables count
 * as missing, so `FOO=` in a compose file falls back to the default.
 */
export function loadConfig<T>(schema: object, env: Env = process.env): T {
  const properties = (schema as { properties?: Record<string, unknown> }).properties ?? {};
  const raw: Record<string, unknown> = {};
  for (const key of Object.keys(properties)) {
    const value = env[key];
    if (value !== undefined && value !== '') raw[key] = value;
  }
  // The schemas are the services' own, checked against the meta-schema once by config-schemas.spec.ts: not again at
  // every start (ajv's meta-schema compile cost each process about 50 ms of CPU).
  const ajv = new Ajv({ allErrors: true, coerceTypes: true, useDefaults: true, strict: false, validateSchema: false });
  addConfigFormats(ajv);
  const validate = ajv.compile(schema);
  if (!validate(raw)) {
    const problems = (validate.errors ?? []).map(describeError).join('; ');
    throw new CodedError(ErrorCodes.configInvalid, `invalid configuration: ${problems}`);
  }
  return raw as T;
}

function describeError(error: ErrorObject): string {
  if (error.keyword === 'required') {
    return `${(error.params as { missingProperty: string }).missingProperty} is required`;
  }
  const variable = error.instancePath.replace(/^\//, '') || 'environment';
  if (error.keyword === 'enum') {
    const allowed = (error.params as { allowedValues: unknown[] }).allowedValues.join(', ');
    return `${variable} must be one of: ${allowed}`;
  }
  return `${variable} ${error.message ?? 'is invalid'}`;
}
