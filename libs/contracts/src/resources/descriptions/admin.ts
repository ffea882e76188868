import { labelSelector } from './common';
import { describedUnder, descriptionKey, type FieldDescriptions } from './field-descriptions';

// ---------------------------------------------------------------------------------------------------------------------
// Shared structures
// ---------------------------------------------------------------------------------------------------------------------

/** A label selector at `prefix`, described as `what`. */
function selectorAt(prefix: string, what: string): FieldDescriptions {
  return describedUnder(prefix, labelSelector(what));
}

/** rbac/v1 PolicyRule: `rules` of a Role or ClusterRole. */
const policyRuleFields: FieldDescriptions = {
  verbs:
    'The request verbs the rule allows: `get`, `list`, `watch`, `create`, `update`, `patch`, `delete`, `deletecollection`, or a special verb such as `approve`; `*` allows every verb. Required.',
  apiGroups: 'The API groups of the resources the rule covers: `""` for the core group (pods, secrets), `apps`, `vmoperator.vmware.com`; `*` means every group.',
  resources:
    'The resources the rule covers, by plural name (`pods`, `deployments`). A subresource is named after a slash (`pods/log`, `deployments/scale`); `*/status` is every resource\'s status and `*` every resource and subresource.',
  resourceNames:
    'Restricts the rule to objects with these names. Empty means every object; a request that names no object (`list`, `create` without a name) is never matched by a rule with names.',
  nonResourceURLs:
    'URL paths that are not resources (`/healthz`, `/version`, `/apis`); a trailing `*` matches every path with that prefix. Only honoured in a ClusterRole bound by a ClusterRoleBinding; a rule holds either these or `apiGroups`/`resources`.',
};

/** rbac/v1 Subject: `subjects` of a RoleBinding or ClusterRoleBinding. */
const subjectFields: FieldDescriptions = {
  kind: '`User`, `Group` or `ServiceAccount`.',
  name:
    'The user name (`alice`, the common name of a client certificate), the group name (`system:authenticated`, `system:masters`) or the ServiceAccount\'s name, as `kind` says.',
  namespace:
    'For a `ServiceAccount` subject, the namespace the account is in. A RoleBinding\'s subject without one means the binding\'s namespace; a ClusterRoleBinding\'s must give it. Not used for users and groups.',
  apiGroup: '`rbac.authorization.k8s.io` for `User` and `Group` subjects, `""` (empty) for a `ServiceAccount`.',
};

/** rbac/v1 RoleRef: `roleRef` of a RoleBinding or ClusterRoleBinding. */
const roleRefFields: FieldDescriptions = {
  apiGroup: 'Always `rbac.authorization.k8s.io`.',
  kind:
    '`Role` (a Role in the binding\'s namespace) or `ClusterRole`. A ClusterRoleBinding grants only a `ClusterRole`; one that refers to a `Role` grants nothing.',
  name: 'The name of the Role or ClusterRole. A binding to a role that does not exist (yet) grants nothing until the role is created.',
};

/** A RoleBinding's or ClusterRoleBinding's own fields, by path from the object. */
const bindingFields: FieldDescriptions = {
  ...describedUnder('roleRef', {
    '': 'The Role or ClusterRole whose rules the binding grants. It cannot be changed after creation (`cannot change roleRef`): delete the binding and create it again instead. Required.',
    ...roleRefFields,
  }),
  ...describedUnder('subjects', {
    '': 'Who the binding grants the role to: users, groups and ServiceAccounts. The binding applies to a request when any subject names the requesting user, one of the user\'s groups or its ServiceAccount.',
    ...subjectFields,
  }),
};

/** An admission rule's fields (a webhook's rule, and a policy's rule without `resourceNames`). */
const admissionRuleFields: FieldDescriptions = {
  operations:
    'The operations the rule matches: `CREATE`, `UPDATE`, `DELETE`, `CONNECT`, or `*` alone for all of them. Admission sees creates, updates (patches and applies are updates) and deletes; OpenPacific sends it no `CONNECT` (exec, port-forward).',
  apiGroups: 'The API groups matched: `""` for the core group, `apps`, `*` for every group (then alone). Required.',
  apiVersions: 'The API versions matched (`v1`, `*`). Each kind is served in one version here, so `*` and the served version match the same requests. Required.',
  resources:
    'The resources matched, by plural name: `pods`, `pods/status` for a subresource, `pods/*` for every subresource of pods, `*` for every resource (not their subresources), `*/*` for everything. Required.',
  scope: '`Cluster` (cluster-scoped objects only), `Namespaced` (namespaced objects only) or `*` (both, the default).',
};

/** A policy's NamedRuleWithOperations: a rule that may be narrowed to names. */
const namedRuleFields: FieldDescriptions = {
  ...admissionRuleFields,
  resourceNames: 'Restricts the rule to objects with these names. Empty (the default) matches objects of any name.',
};

/** admissionregistration/v1 MatchResources: a policy's `matchConstraints` and a binding's `matchResources`. */
const matchResourcesParts: FieldDescriptions = {
  ...selectorAt(
    'namespaceSelector',
    'Matches requests by the labels of the namespace they are in (a Namespace object by its own labels); requests for other cluster-scoped objects always match. Defaults to `{}`, every namespace.',
  ),
  ...selectorAt('objectSelector', "Matches requests by the labels of the object, new or old (either one matching is enough). Defaults to `{}`, every object."),
  ...describedUnder('resourceRules', {
    '': 'The operations and resources that match: a request matches when any rule takes it.',
    ...namedRuleFields,
  }),
  ...describedUnder('excludeResourceRules', {
    '': 'Operations and resources that never match, even when a rule in `resourceRules` takes them.',
    ...namedRuleFields,
  }),
  matchPolicy:
    '`Exact` or `Equivalent` (the default): whether a request for another version of a resource the rules name also matches. Every group is served in one version here, so both behave as `Exact`.',
};

/** A CEL match condition: a webhook's or a policy's `matchConditions` items. */
const matchConditionFields: FieldDescriptions = {
  name: 'A name for the condition, unique in the list; a qualified name (`check-labels`, `example.com/ready`). It is named in errors.',
  expression:
    'A CEL expression that must evaluate to a boolean, reading `object`, `oldObject` and `request` (a policy\'s also `params` and `namespaceObject`). It is compiled when the configuration is written; `authorizer` is not available.',
};

/** A webhook's `clientConfig` (admission webhooks and a CRD's conversion webhook): where it is and what to trust. */
const webhookClientConfigParts: FieldDescriptions = {
  url:
    'The webhook\'s HTTPS address (`https://hooks.example.com:8443/validate`), with a host and no user, query or fragment. Give either `url` or `service`, not both.',
  caBundle: 'PEM certificates of the authorities to trust for the webhook\'s TLS certificate, base64-encoded in JSON. When empty, the machine\'s system roots are trusted.',
  service: 'A Service in the cluster that fronts the webhook; it is dialled at the Service\'s cluster IP with the server name `<name>.<namespace>.svc`. Give either `service` or `url`, not both.',
  'service.namespace': "The Service's namespace. Required.",
  'service.name': "The Service's name. Required.",
  'service.path': 'The URL path to send the request to (`/validate`), made of DNS-subdomain segments. Optional.',
  'service.port': 'The Service port to call, 1-65535. Defaults to 443.',
};

/** admissionregistration/v1 ValidatingWebhook: a webhook configuration's `webhooks` items. */
const webhookFields: FieldDescriptions = {
  name:
    'The webhook\'s name, unique in the configuration: a DNS subdomain of at least three segments (`pods.policy.example.com`). It appears in refusals (`admission webhook "x" denied the request`).',
  ...describedUnder('clientConfig', { '': 'How the policy service reaches the webhook: a `url`, or a `service` in the cluster, and the CA to trust.', ...webhookClientConfigParts }),
  ...describedUnder('rules', {
    '': 'Which operations on which resources the webhook is called for: it is called when any rule matches the request.',
    ...admissionRuleFields,
  }),
  failurePolicy:
    '`Fail` (the default) or `Ignore`: what a failed call (refused, timed out, a TLS error, a malformed answer) does. `Fail` refuses the request with a 500; `Ignore` passes over the webhook.',
  matchPolicy:
    '`Exact` or `Equivalent` (the default): whether requests for other versions of the rules\' resources are sent as well. Every group is served in one version here, so both behave as `Exact`.',
  ...selectorAt(
    'namespaceSelector',
    'Calls the webhook only for requests in namespaces whose labels match (a Namespace object by its own labels; other cluster-scoped objects always match). Defaults to `{}`, every namespace.',
  ),
  ...selectorAt('objectSelector', 'Calls the webhook only for objects whose labels match, new or old. Defaults to `{}`, every object.'),
  sideEffects:
    '`None` or `NoneOnDryRun`: whether the webhook changes anything outside the object. A dry-run request is sent only to webhooks declaring one of these; `Some` and `Unknown` cannot be set on new configurations.',
  timeoutSeconds: 'How long the policy service waits for the webhook\'s answer, 1-30 seconds; default 10. On timeout `failurePolicy` applies.',
  admissionReviewVersions:
    'The `AdmissionReview` versions the webhook understands, in order of preference; must include `v1` or `v1beta1`. OpenPacific always sends `admission.k8s.io/v1`. Required.',
  ...describedUnder('matchConditions', {
    '': 'CEL conditions the request must all meet for the webhook to be called, at most 64; one that is false skips the webhook, one that fails to evaluate counts as a failed call.',
    ...matchConditionFields,
  }),
};

/** A CertificateSigningRequest's or CRD's status condition fields, where they are the usual ones. */
const conditionParts: FieldDescriptions = {
  status: '`True`, `False` or `Unknown`.',
  reason: 'A one-word, CamelCase reason for the condition\'s last change.',
  message: 'A human-readable explanation of the condition.',
  lastTransitionTime: 'When the condition last changed from one status to another.',
};

const reviewMetadataNote = 'Reviews are never stored: `kubectl create` returns the answer, and `get` or `list` are not served.';

/** The status of the three access reviews: what RBAC answered. */
const accessReviewStatus =
  'The answer, filled in by the server: `allowed` (true when some RBAC rule grants the request) and, when allowed, `reason` naming the binding and role that grant it. OpenPacific has no deny rules, so `denied` is never set; anything sent here is ignored.';

/** The resource and non-resource attributes of an access review's spec. */
const accessReviewAttributes =
  '`resourceAttributes` (`verb`, `group`, `version`, `resource`, `subresource`, `namespace`, `name`) for a request about a resource, or `nonResourceAttributes` (`path`, `verb`) for a URL such as `/healthz`';

// ---------------------------------------------------------------------------------------------------------------------
// Kinds
// ---------------------------------------------------------------------------------------------------------------------

const role: FieldDescriptions = {
  '':
    'A set of permissions in one namespace. A Role grants nothing by itself: a RoleBinding in the same namespace gives its rules to users, groups or ServiceAccounts. Rules only add permissions; there are no deny rules.',
  ...describedUnder('rules', {
    '': 'The permissions, each allowing some verbs on some resources of the Role\'s namespace. A request is allowed when any rule of any role bound to the user allows it.',
    ...policyRuleFields,
    nonResourceURLs: 'Not used in a Role: non-resource URLs are granted only by ClusterRoles bound with ClusterRoleBindings.',
  }),
};

const clusterRole: FieldDescriptions = {
  '':
    'A named set of permissions not tied to a namespace. A ClusterRoleBinding grants it in every namespace and on cluster-scoped resources; a RoleBinding grants it in that binding\'s namespace only. `cluster-admin`, `admin`, `edit` and `view` are built in.',
  ...describedUnder('rules', {
    '': 'The permissions, each allowing some verbs on some resources or non-resource URLs. For a role with an `aggregationRule` the server writes them, and rules written by hand are replaced.',
    ...policyRuleFields,
  }),
  aggregationRule:
    'Makes this role the union of other ClusterRoles: `clusterRoleSelectors`, a list of label selectors. The server keeps `rules` equal to the rules of every other ClusterRole whose labels match a selector (`rbac.authorization.k8s.io/aggregate-to-edit: "true"` feeds the built-in `edit`).',
};

const roleBinding: FieldDescriptions = {
  '':
    'Grants a Role or ClusterRole to users, groups or ServiceAccounts within the binding\'s namespace. A ClusterRole bound this way applies only to that namespace, and its non-resource URLs are not granted.',
  ...bindingFields,
};

const clusterRoleBinding: FieldDescriptions = {
  '': 'Grants a ClusterRole to users, groups or ServiceAccounts in every namespace, on cluster-scoped resources and on non-resource URLs.',
  ...bindingFields,
};

const selfSubjectReview: FieldDescriptions = {
  '': `Asks who the server takes the caller to be: \`kubectl auth whoami\`. Every authenticated user may create one. ${reviewMetadataNote}`,
  spec: 'Not used: the review asks nothing but the caller\'s identity.',
  status:
    'The answer: `userInfo` with the caller\'s `username`, `groups` (always including `system:authenticated`) and, when the authenticator knows them, `uid` and `extra`.',
};

const tokenReview: FieldDescriptions = {
  '': `Asks whether a bearer token is valid and whose it is, as a webhook or proxy does before trusting a caller. ${reviewMetadataNote}`,
  spec:
    'The question: `token`, the bearer token to check (required), and optionally `audiences`, the audiences it must be good for; by default the API server\'s own. Recognised: the local admin\'s token, tokens of the users file and of ServiceAccount token Secrets, and TokenRequest tokens.',
  status:
    'The answer: `authenticated`, and when true `user` (`username`, `groups`, and `uid` and `extra` when known) and `audiences`, those of the asked ones the token is good for. An unknown, expired or wrong-audience token gives `authenticated: false`.',
};

const selfSubjectAccessReview: FieldDescriptions = {
  '': `Asks whether the caller may do something: \`kubectl auth can-i\`. Every authenticated user may create one. ${reviewMetadataNote}`,
  spec: `The request to check for the caller: ${accessReviewAttributes}.`,
  status: accessReviewStatus,
};

const selfSubjectRulesReview: FieldDescriptions = {
  '': `Lists what the caller may do in a namespace: \`kubectl auth can-i --list\`. Every authenticated user may create one. ${reviewMetadataNote}`,
  spec: 'The question: `namespace`, the namespace to list the caller\'s rules in. Without it, only the rules granted cluster-wide (by ClusterRoleBindings) are listed.',
  status:
    'The answer: `resourceRules` (`verbs`, `apiGroups`, `resources`, `resourceNames`) and `nonResourceRules` (`verbs`, `nonResourceURLs`) as the bound roles hold them, and `incomplete`, always false.',
};

const subjectAccessReview: FieldDescriptions = {
  '':
    `Asks whether some user or group may do something, as a webhook or controller checks on another's behalf. Creating one needs permission to create \`subjectaccessreviews\` (the built-in \`system:auth-delegator\` role grants it). ${reviewMetadataNote}`,
  spec: `The request to check: \`user\` and/or \`groups\` (at least one), and exactly one of ${accessReviewAttributes}.`,
  status: accessReviewStatus,
};

const localSubjectAccessReview: FieldDescriptions = {
  '':
    `Asks whether some user or group may do something in one namespace, the namespace of the review itself; anyone allowed to create these in a namespace can check there. ${reviewMetadataNote}`,
  spec:
    'The request to check: `user` and/or `groups` (at least one), and `resourceAttributes` (`verb`, `group`, `version`, `resource`, `subresource`, `namespace`, `name`) whose `namespace` must be the review\'s. `nonResourceAttributes` are not allowed.',
  status: accessReviewStatus,
};

const auditRecord: FieldDescriptions = {
  '':
    'One request to the API, as the api-gateway recorded it in its append-only audit log. Records are read-only (`get`, `list`, newest first; no `watch`), never hold a request or response body, and can be filtered with `--field-selector` (`user`, `namespace`, `verb`, `code`...).',
  time: 'When the gateway received the request (RFC 3339, UTC).',
  stage:
    'When in the request the record was written: `ResponseComplete` (most requests, once) or, for a long-running one such as a VM console, also `ResponseStarted` when its stream began. Absent in records written before stages were kept.',
  stageTimestamp: 'When the record was written at its stage (RFC 3339, UTC); at `ResponseComplete` of a long-running request, minus `time`, how long it lasted.',
  requestID: 'The id of the request, also sent to the client in the `Audit-Id` response header.',
  user: 'The authenticated user name; `system:anonymous` when authentication failed.',
  groups: 'The authenticated user\'s groups; `system:unauthenticated` when authentication failed.',
  verb:
    'What was asked: `get`, `list`, `watch`, `create`, `update`, `patch`, `delete` or `deletecollection`; for a non-resource request (discovery, `/version`) the HTTP method in lower case. `kubectl exec` and `port-forward` are recorded as `create`.',
  apiGroup: 'The API group of the resource (`apps`, `vmoperator.vmware.com`); empty for the core group and for non-resource requests.',
  resource: 'The resource\'s plural name (`secrets`, `virtualmachines`); empty for a non-resource request, which has `path` instead.',
  subresource: 'The subresource asked for, if any: `status`, `scale`, `log`, `exec`, `portforward`, `history`.',
  namespace: 'The namespace of the request; empty for cluster-scoped resources and for lists across all namespaces.',
  name: 'The name of the object; a create\'s name is taken from its answer. Empty for lists and collections.',
  path: 'The URL path of the request, without its query string.',
  decision:
    '`deny` when authentication (401) or RBAC (403) refused the request, `allow` otherwise. An admission refusal (quota, Pod Security, a policy or webhook) is `allow` with its error `code`.',
  code: 'The HTTP status code sent; `0` when the client went away before any answer, `101` for an exec or port-forward whose connection was upgraded.',
  userAgent: 'The client\'s `User-Agent` header (`kubectl/v1.32.0 ...`).',
  sourceIP: 'The IP address the request came from.',
  annotations:
    'What admission said of the request for the audit log, as in a Kubernetes audit event, whether the request was allowed or not: `validation.policy.admission.k8s.io/validation_failure` holds, as a JSON list, the failures that ValidatingAdmissionPolicy bindings with the `Audit` action saw (message, policy, binding, expressionIndex, validationActions); `<policy name>/<key>` holds the value of a policy\'s `auditAnnotations` entry. Absent when there are none.',
};

const certificateSigningRequest: FieldDescriptions = {
  '':
    'A request for an X.509 certificate from a named signer. It is approved or denied through its `approval` subresource (`kubectl certificate approve|deny`), then signed; the gateway signs `kubernetes.io/kube-apiserver-client` requests with the cluster\'s CA.',
  spec: 'What is asked for and who asked. It cannot be changed after creation.',
  'spec.request':
    'The PKCS#10 certificate request, PEM-encoded (`-----BEGIN CERTIFICATE REQUEST-----`), base64-encoded again in JSON. Its signature is checked; a request for the `system:masters` group from the kube-apiserver-client signer is refused.',
  'spec.signerName':
    'The signer to sign it, `<domain>/<name>`: `kubernetes.io/kube-apiserver-client` gives a client certificate this API server accepts (the common name the user, the organizations the groups). `kubernetes.io/legacy-unknown` is refused. Required.',
  'spec.expirationSeconds':
    'The certificate validity asked for, at least 600 seconds. The signer may give less: the kube-apiserver-client signer gives at most a year, which is also its default.',
  'spec.usages':
    'The key usages asked for (`digital signature`, `key encipherment`, `client auth`, `server auth`...), without repeats. A client certificate must have `client auth` and may add only `digital signature` and `key encipherment`. Required.',
  'spec.username': 'The user who created the request. Set by the server from the request\'s credentials; whatever the client sends is replaced.',
  'spec.uid': 'The uid of the user who created the request. Set by the server; a value the client sends is dropped.',
  'spec.groups': 'The groups of the user who created the request. Set by the server from the request\'s credentials.',
  'spec.extra': 'Extra attributes of the user who created the request. Set by the server; a value the client sends is dropped.',
  status: 'The decision and the certificate, written through the `approval` and `status` subresources.',
  ...describedUnder('status.conditions', {
    '':
      'The decision and what followed: `Approved` or `Denied` (never both), and `Failed` when signing failed; these three are never removed. The server deletes a request an hour after it was denied, failed or issued, and a pending one after a day.',
    type: '`Approved`, `Denied`, `Failed`, or another type a signer uses. Each type appears at most once.',
    ...conditionParts,
    status: '`True`, `False` or `Unknown`; `Approved`, `Denied` and `Failed` may only be `True`.',
    reason: 'A one-word, CamelCase reason (`KubectlApprove`, `SignerValidationFailure`).',
    lastUpdateTime: 'When the condition was last written. Set by the server when left empty.',
    lastTransitionTime: 'When the condition last changed status. Set by the server when left empty.',
  }),
  'status.certificate':
    'The issued certificate, PEM-encoded and base64-encoded again in JSON, once the signer has signed the approved request. Set once through the `status` subresource and never changed.',
};

const validatingAdmissionPolicy: FieldDescriptions = {
  '':
    'CEL rules that writes must pass, checked by the policy service during admission. A policy does nothing until a ValidatingAdmissionPolicyBinding names it; the binding says which requests, with which params, and what a failure does.',
  spec: 'What the policy checks and the requests it can apply to.',
  'spec.paramKind':
    'The kind of the objects that parameterise the policy (any kind, built-in or custom), read by the expressions as `params`. Without it the policy takes no params and bindings need no `paramRef`.',
  'spec.paramKind.apiVersion': 'The group and version of the param kind (`v1`, `example.com/v1`). Required when `paramKind` is set.',
  'spec.paramKind.kind': 'The kind of the params (`ConfigMap`, `ReplicaLimit`). Required when `paramKind` is set.',
  ...describedUnder('spec.matchConstraints', {
    '':
      'The requests the policy may apply to; a binding can narrow them with its `matchResources`. Requires at least one `resourceRules` entry. Objects of admissionregistration.k8s.io are never checked.',
    ...matchResourcesParts,
  }),
  'spec.validations':
    'The checks: every expression must be true for the request to pass. A policy needs `validations` or `auditAnnotations`.',
  'spec.validations.expression':
    'A CEL expression that must evaluate to true, reading `object` (null on delete), `oldObject` (null on create), `request`, `params`, `namespaceObject` and `variables`. Compiled when the policy is written. Required.',
  'spec.validations.message': 'The message of a refusal, on one line. Without it (and without `messageExpression`) the message is `failed expression: <expression>`.',
  'spec.validations.reason':
    'The refusal\'s reason and HTTP code: `Invalid` (422, the default), `Forbidden` (403), `Unauthorized` (401) or `RequestEntityTooLarge` (413).',
  'spec.validations.messageExpression':
    'A CEL expression returning the refusal message, with the same variables as `expression`. Used instead of `message` when it evaluates to a non-empty string on one line.',
  'spec.failurePolicy':
    '`Fail` (the default) or `Ignore`: what an evaluation error, a failed match condition, a missing param kind or another misconfiguration does. `Fail` treats it as a failed check, as the binding\'s actions say; `Ignore` lets the request through.',
  'spec.auditAnnotations':
    'Annotations for the audit log, at most 20: for every request a binding of the policy applies to, each value is added to the request\'s AuditRecord (`annotations`), whether the request is allowed or not.',
  'spec.auditAnnotations.key':
    'The annotation\'s key, unique in the policy, at most 63 characters of letters, digits, `-`, `_` and `.`; it is recorded as `<policy name>/<key>`, which must be a valid annotation key.',
  'spec.auditAnnotations.valueExpression':
    'A CEL expression giving the annotation\'s value, at most 5 KiB, with the same variables as the validations. A string is recorded trimmed (cut at 10 KiB); null or an empty string records nothing. The distinct values of several bindings or params are joined with ", ". An evaluation error, or a value of another type, follows `failurePolicy`: `Fail` refuses the request. Compiled when the policy is written.',
  ...describedUnder('spec.matchConditions', {
    '':
      'CEL conditions the request must all meet for the validations to run, at most 64. One that is false skips the policy; one that fails to evaluate follows `failurePolicy`.',
    ...matchConditionFields,
  }),
  'spec.variables':
    'Named CEL expressions the other expressions read as `variables.<name>`. Each is evaluated when first read and can use the ones listed before it.',
  'spec.variables.name': 'The variable\'s name, a CEL identifier (letters, digits and `_`, not starting with a digit).',
  'spec.variables.expression': 'The CEL expression whose value the variable holds, with the same inputs as the validations.',
  status: 'Kept for compatibility with Kubernetes; OpenPacific does not fill it in, as it does not type-check policies.',
  'status.observedGeneration': 'The policy generation the status describes. Not set by OpenPacific.',
  'status.typeChecking': 'In Kubernetes, warnings from type-checking the expressions against the matched kinds. Not set by OpenPacific: a wrong field name shows as an evaluation error instead.',
  ...describedUnder('status.conditions', {
    '': 'Conditions of the policy. Not set by OpenPacific.',
    type: 'The condition\'s type, in CamelCase.',
    ...conditionParts,
    lastHeartbeatTime: 'When the condition was last checked.',
    observedGeneration: 'The policy generation the condition was set for.',
    severity: 'How serious a `False` condition is.',
  }),
};

const validatingAdmissionPolicyBinding: FieldDescriptions = {
  '':
    'Applies a ValidatingAdmissionPolicy: names the policy, the params to use, the requests it applies to and what a failed check does. Without a binding a policy checks nothing.',
  spec: 'The policy, its params, the requests and the actions.',
  'spec.policyName': 'The name of the ValidatingAdmissionPolicy to apply. A binding whose policy does not exist does nothing. Required.',
  'spec.paramRef':
    'Which objects of the policy\'s `paramKind` to evaluate it with: by `name` or by `selector`, exactly one. The policy is evaluated once per param found. Leave unset for a policy without `paramKind`.',
  'spec.paramRef.name': 'The name of the param object. Excludes `selector`.',
  'spec.paramRef.namespace':
    'The namespace of the params, for a namespaced param kind. When empty, the request\'s namespace is used; for a cluster-scoped request that is a misconfiguration, handled by the policy\'s `failurePolicy`.',
  ...selectorAt('spec.paramRef.selector', 'Selects param objects by label; the policy is evaluated with each one. `{}` selects every object of the param kind. Excludes `name`.'),
  'spec.paramRef.parameterNotFoundAction':
    '`Allow` or `Deny`: what happens when no param is found. `Allow` skips the binding; `Deny` refuses the request (`no params found for policy binding`). Required.',
  ...describedUnder('spec.matchResources', {
    '':
      'Narrows the requests the binding applies to, inside the policy\'s `matchConstraints` (a request must match both). Unset means all of the policy\'s.',
    ...matchResourcesParts,
  }),
  'spec.validationActions':
    'What a failed validation does: `Deny` refuses the request, `Warn` lets it through with a warning kubectl prints, `Audit` records the failure in the request\'s AuditRecord (the `validation.policy.admission.k8s.io/validation_failure` annotation). `Deny` and `Warn` cannot be combined. Required.',
};

const mutatingWebhookConfiguration: FieldDescriptions = {
  '':
    'HTTPS webhooks the policy service calls with an `AdmissionReview` before a write, which may change the object with a JSON patch or refuse it. They run one after another, configurations in name order, before Pod Security, LimitRanges and policies.',
  ...describedUnder('webhooks', {
    '': 'The webhooks, called in this order, each seeing the object as the webhooks before it left it.',
    ...webhookFields,
  }),
  'webhooks.reinvocationPolicy':
    '`Never` (the default) or `IfNeeded`: whether the webhook is called once more when a webhook after it changed the object.',
};

const validatingWebhookConfiguration: FieldDescriptions = {
  '':
    'HTTPS webhooks the policy service calls with an `AdmissionReview` before a write, which may allow or refuse it but not change it. They are called together, on the object as mutating admission left it, after ValidatingAdmissionPolicies.',
  ...describedUnder('webhooks', {
    '': 'The webhooks; all matching ones are called at once and any refusal refuses the request.',
    ...webhookFields,
  }),
};

const crdNames: FieldDescriptions = {
  plural: 'The lower-case plural name used in URLs and RBAC rules (`widgets`); the CRD\'s name must be `<plural>.<group>`. Required.',
  singular: 'The lower-case singular name (`widget`), accepted by kubectl. Defaults to the lower-cased `kind`.',
  kind: 'The kind\'s name in CamelCase (`Widget`), as objects give it in `kind`. Required.',
  listKind: 'The kind of a list of these objects. Defaults to `kind` + `List` (`WidgetList`).',
  shortNames: 'Short names kubectl accepts for the resource (`wd` for `kubectl get wd`), lower-case DNS labels.',
  categories: 'Groups of resources this one belongs to: `kubectl get all` lists the kinds in the category `all`.',
};

const customResourceDefinition: FieldDescriptions = {
  '':
    'Adds a kind to the API: once established, every api-gateway replica serves its objects like a built-in kind (validation, tables, field selectors, watches, `kubectl explain`). Its name is `<plural>.<group>`; deleting it deletes all its objects first.',
  spec: 'The kind to serve: its group, names, scope and versions.',
  'spec.group':
    'The API group of the new kind (`example.com`): a DNS subdomain with at least one dot, not a group of OpenPacific\'s built-in kinds. It cannot change after creation.',
  ...describedUnder('spec.names', { '': 'The names of the resource and kind: in URLs, in objects and for kubectl.', ...crdNames }),
  'spec.scope': '`Namespaced` or `Cluster`: whether the objects live in namespaces. It cannot change after creation. Required.',
  'spec.versions':
    'The versions of the kind, at least one. Exactly one has `storage: true`; objects are stored in it and converted to the version a request asks for.',
  'spec.versions.name': 'The version\'s name, as in the `apiVersion` of objects (`v1`, `v1beta1`): a DNS-1035 label, unique in the list.',
  'spec.versions.served': 'Whether the version is served; requests for a version that is not get a 404.',
  'spec.versions.storage': 'Whether objects are stored in this version. Exactly one version is the storage version.',
  'spec.versions.deprecated': 'Marks the version as deprecated: every request to it gets a `Warning` header (kubectl prints it), `deprecationWarning` or by default `<group>/<version> <Kind> is deprecated; use <group>/<newer version> <Kind>`.',
  'spec.versions.deprecationWarning': 'The warning sent with requests to a deprecated version instead of the default one.',
  'spec.versions.schema': 'How objects of the version are validated, pruned and defaulted, and what `kubectl explain` shows of them.',
  'spec.versions.schema.openAPIV3Schema':
    'An OpenAPI v3 schema of the whole object, `type: object` at its root, with a `type` on every field and `items` on every array. It may use `default`, `x-kubernetes-preserve-unknown-fields`, `x-kubernetes-int-or-string` and CEL rules in `x-kubernetes-validations`; `$ref` and `patternProperties` are not allowed.',
  'spec.versions.subresources':
    'The `status` and `scale` subresources of the version\'s objects. A kind\'s subresources are those of its storage version.',
  'spec.versions.subresources.status':
    'Set to `{}` to serve `/status`: the status is then written only through it, other writes keep it unchanged, and `metadata.generation` rises only when the rest changes.',
  'spec.versions.subresources.scale':
    'Serves `/scale`, so `kubectl scale` and autoscalers can change the replica count, through the paths below.',
  'spec.versions.subresources.scale.specReplicasPath': 'The JSON path of the desired replica count in the object, under `.spec` (`.spec.replicas`). Required.',
  'spec.versions.subresources.scale.statusReplicasPath': 'The JSON path of the observed replica count, under `.status` (`.status.replicas`). Required.',
  'spec.versions.subresources.scale.labelSelectorPath':
    'The JSON path, under `.spec` or `.status`, of a label selector string that the Scale reports as `status.selector`. Optional.',
  'spec.versions.additionalPrinterColumns':
    'The columns `kubectl get` shows for the version, after NAME. Without any, the table has NAME and AGE.',
  'spec.versions.additionalPrinterColumns.name': 'The column\'s heading. Required.',
  'spec.versions.additionalPrinterColumns.type': '`string`, `integer`, `number`, `boolean` or `date` (shown as an age). Required.',
  'spec.versions.additionalPrinterColumns.format': 'An optional format of the value, such as `int32` or `date-time`; informational.',
  'spec.versions.additionalPrinterColumns.description': 'What the column shows, for people reading the definition.',
  'spec.versions.additionalPrinterColumns.priority':
    '`0` shows the column in the default table; a higher number only with `-o wide`.',
  'spec.versions.additionalPrinterColumns.jsonPath': 'A simple JSON path to the value, starting with `.` (`.spec.color`). Required.',
  'spec.versions.selectableFields':
    'Fields that `--field-selector` can filter on besides `metadata.name` and `metadata.namespace`, at most 8. Each must be a `string`, `boolean` or `integer` field of the schema, outside `metadata`.',
  'spec.versions.selectableFields.jsonPath': 'The field\'s path with dots only (`.spec.color`); array indexes are not allowed.',
  'spec.conversion': 'How objects are converted between versions. Defaults to `strategy: None`.',
  'spec.conversion.strategy':
    '`None` (the default; only `apiVersion` changes) or `Webhook` (objects are sent to the conversion webhook in a `ConversionReview`).',
  'spec.conversion.webhook': 'The conversion webhook, required with `strategy: Webhook` and not allowed otherwise.',
  ...describedUnder('spec.conversion.webhook.clientConfig', {
    '': 'How the api-gateway reaches the conversion webhook: a `url`, or a `service` in the cluster, and the CA to trust.',
    ...webhookClientConfigParts,
  }),
  'spec.conversion.webhook.conversionReviewVersions':
    'The `ConversionReview` versions the webhook understands, in order of preference: `v1` and/or `v1beta1`; `v1` is sent when listed. Required.',
  'spec.preserveUnknownFields': 'Must be `false` (or unset): fields the schema does not declare are pruned unless the schema says `x-kubernetes-preserve-unknown-fields`.',
  status: 'The state of the definition, kept by the server.',
  ...describedUnder('status.conditions', {
    '':
      'Conditions of the definition: `NamesAccepted` (false when another CRD of the group holds a name), `Established` (the kind is served), and `Terminating` while it is being deleted.',
    type: '`NamesAccepted`, `Established` or `Terminating`.',
    ...conditionParts,
    reason: 'A one-word, CamelCase reason (`NoConflicts`, `PluralConflict`, `InitialNamesAccepted`).',
  }),
  ...describedUnder('status.acceptedNames', {
    '': 'The names the kind is actually served under: those of `spec.names` once no other CRD holds them.',
    ...crdNames,
  }),
  'status.storedVersions': 'Every version objects have ever been stored in.',
};

/** Field descriptions by kind (descriptionKey). */
export const adminDescriptions: Record<string, FieldDescriptions> = {
  [descriptionKey('rbac.authorization.k8s.io', 'Role')]: role,
  [descriptionKey('rbac.authorization.k8s.io', 'ClusterRole')]: clusterRole,
  [descriptionKey('rbac.authorization.k8s.io', 'RoleBinding')]: roleBinding,
  [descriptionKey('rbac.authorization.k8s.io', 'ClusterRoleBinding')]: clusterRoleBinding,
  [descriptionKey('authentication.k8s.io', 'SelfSubjectReview')]: selfSubjectReview,
  [descriptionKey('authentication.k8s.io', 'TokenReview')]: tokenReview,
  [descriptionKey('authorization.k8s.io', 'SelfSubjectAccessReview')]: selfSubjectAccessReview,
  [descriptionKey('authorization.k8s.io', 'SelfSubjectRulesReview')]: selfSubjectRulesReview,
  [descriptionKey('authorization.k8s.io', 'SubjectAccessReview')]: subjectAccessReview,
  [descriptionKey('authorization.k8s.io', 'LocalSubjectAccessReview')]: localSubjectAccessReview,
  [descriptionKey('audit.openpacific.io', 'AuditRecord')]: auditRecord,
  [descriptionKey('certificates.k8s.io', 'CertificateSigningRequest')]: certificateSigningRequest,
  [descriptionKey('admissionregistration.k8s.io', 'ValidatingAdmissionPolicy')]: validatingAdmissionPolicy,
  [descriptionKey('admissionregistration.k8s.io', 'ValidatingAdmissionPolicyBinding')]: validatingAdmissionPolicyBinding,
  [descriptionKey('admissionregistration.k8s.io', 'MutatingWebhookConfiguration')]: mutatingWebhookConfiguration,
  [descriptionKey('admissionregistration.k8s.io', 'ValidatingWebhookConfiguration')]: validatingWebhookConfiguration,
  [descriptionKey('apiextensions.k8s.io', 'CustomResourceDefinition')]: customResourceDefinition,
};
