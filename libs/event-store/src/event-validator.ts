import Ajv, { ValidateFunction } from 'ajv';
import { CodedError, ErrorCodes, JsonSchema } from '@openpacific/contracts';
import { NewEvent } from './recorded-event';

/**
 * Checks events against the catalogue before anything is written. The catalogue's schemas are this repository's own,
 * checked against JSON Schema's meta-schema by a unit spec (event-validator.spec.ts), so they are not checked again in
 * every process: ajv's meta-schema compile cost each service about 50 ms of CPU at its first append.
 */
export class EventValidator {
  private readonly ajv = new Ajv({ allErrors: true, strict: false, validateSchema: false });
  private readonly compiled = new Map<string, ValidateFunction>();

  constructor(private readonly catalogue: Record<string, JsonSchema>) {}

  check(event: NewEvent): void {
    const schema = this.catalogue[event.type];
    if (!schema) throw new CodedError(ErrorCodes.unknownEventType, `event type ${JSON.stringify(event.type)} is not in the event catalogue`);
    let validate = this.compiled.get(event.type);
    if (!validate) this.compiled.set(event.type, (validate = this.ajv.compile(schema)));
    if (!validate(event.data)) {
      throw new CodedError(ErrorCodes.invalidEvent, `${event.type} is invalid: ${this.ajv.errorsText(validate.errors, { dataVar: 'data' })}`);
    }
    if (!event.metadata || typeof event.metadata.actor !== 'string' || typeof event.metadata.source !== 'string') {
      throw new CodedError(ErrorCodes.invalidEvent, `${event.type} is invalid: metadata must name an actor and a source`);
    }
  }
}
