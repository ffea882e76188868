import { WEB_CONSOLE_TICKET_HASH_ANNOTATION, WEB_CONSOLE_TICKET_USED_ANNOTATION, WEB_CONSOLE_UUID_LABEL } from '@openpacific/contracts';
import { fieldInvalid, fieldRequired, StatusCause } from '@openpacific/kube-api';
import { webConsolePublicKey } from '@openpacific/objects';
import type { KindStrategy, StrategyContext } from './kind-strategies';

/** What VM Operator's webhooks call the VM name field in their messages: `spec.Name` (sic) for v1alpha2 and later. */
const NAME_FIELD = { VirtualMachineWebConsoleRequest: { json: 'name', path: 'spec.Name' }, WebConsoleRequest: { json: 'virtualMachineName', path: 'spec.virtualMachineName' } } as const;
type Kind = keyof typeof NAME_FIELD;

/**
 * Who created the request (`{"username", "groups"}` as JSON), written by the gateway on create: the ticket is handed
 * to them, so the console session it opens is audited as theirs (a ticket URL carries no token).
 */
export const WEB_CONSOLE_REQUESTER_ANNOTATION = 'vmoperator.openpacific.io/web-console-requester';

/** The annotations through which the gateway's console endpoint finds, spends and audits a ticket: the system's alone. */
const TICKET_ANNOTATIONS = [WEB_CONSOLE_TICKET_HASH_ANNOTATION, WEB_CONSOLE_TICKET_USED_ANNOTATION, WEB_CONSOLE_REQUESTER_ANNOTATION];

/** The requester a request's annotation names, if it names one well. */
export function webConsoleRequester(req: any): { username: string; groups: string[] } | undefined {
  try {
    const r = JSON.parse(req?.metadata?.annotations?.[WEB_CONSOLE_REQUESTER_ANNOTATION] ?? '');
    if (typeof r?.username !== 'string' || !r.username) return undefined;
    return { username: r.username, groups: Array.isArray(r.groups) ? r.groups.filter((g: unknown): g is string => typeof g === 'string') : [] };
  } catch {
    return undefined;
  }
}

function publicKeyCauses(publicKey: unknown): StatusCause[] {
  if (!publicKey) return [fieldRequired('spec.publicKey')];
  const key = webConsolePublicKey(String(publicKey));
  return 'invalid' in key ? [fieldInvalid('spec.publicKey', '', key.invalid)] : [];
}

/** The validating webhook on create: the VM named, and a public key that is an RSA key in a `PUBLIC KEY` PEM block. */
function validateCreate(kind: Kind) {
  return (req: any): StatusCause[] => {
    const name = NAME_FIELD[kind];
    return [...(req.spec?.[name.json] ? [] : [fieldRequired(name.path)]), ...publicKeyCauses(req.spec?.publicKey)];
  };
}

const immutable = (field: string, next: unknown, old: unknown): StatusCause[] => (next === old ? [] : [fieldInvalid(field, next ?? '', 'field is immutable')]);

/** The validating webhook on update: the spec does not change, nor the uuid label once the controller set it. */
function validateUpdate(kind: Kind) {
  return (old: any, next: any): StatusCause[] => {
    const name = NAME_FIELD[kind];
    const causes = [...immutable(name.path, next.spec?.[name.json], old.spec?.[name.json]), ...immutable('spec.publicKey', next.spec?.publicKey, old.spec?.publicKey)];
    const uuid = old.metadata.labels?.[WEB_CONSOLE_UUID_LABEL];
    if (uuid) causes.push(...immutable(`metadata.labels[${WEB_CONSOLE_UUID_LABEL}]`, next.metadata.labels?.[WEB_CONSOLE_UUID_LABEL] ?? '', uuid));
    return causes;
  };
}

/** Clients neither set nor change the ticket annotations: a new request has none, an update keeps what was there. */
function keepTicketAnnotations(next: any, old?: any): any {
  const annotations = { ...(next.metadata.annotations ?? {}) };
  for (const key of TICKET_ANNOTATIONS) {
    const was = old?.metadata.annotations?.[key];
    if (was === undefined) delete annotations[key];
    else annotations[key] = was;
  }
  if (Object.keys(annotations).length) next.metadata.annotations = annotations;
  else delete next.metadata.annotations;
  return next;
}

/** A new request: none of the system's annotations but its creator's name, as the API authenticated them. */
function prepareCreate(req: any, ctx: StrategyContext): any {
  const next = keepTicketAnnotations(req);
  if (ctx.user) next.metadata.annotations = { ...(next.metadata.annotations ?? {}), [WEB_CONSOLE_REQUESTER_ANNOTATION]: JSON.stringify({ username: ctx.user.username, groups: ctx.user.groups }) };
  return next;
}

function strategy(kind: Kind): KindStrategy {
  return {
    defaults: prepareCreate,
    prepareUpdate: (old, next) => keepTicketAnnotations(next, old),
    validateCreate: validateCreate(kind),
    validateUpdate: validateUpdate(kind),
  };
}

export const vmWebConsoleKindStrategies: Record<string, KindStrategy> = {
  'vmoperator.vmware.com/VirtualMachineWebConsoleRequest': strategy('VirtualMachineWebConsoleRequest'),
  'vmoperator.vmware.com/WebConsoleRequest': strategy('WebConsoleRequest'),
};
