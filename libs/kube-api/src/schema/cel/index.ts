export { celTypeOf, compileAdmissionExpression, compileCelExpression, compileSchemaRules, compiledRulesOf, isEvaluationError, mustReturn } from './cel-compile';
export { toCel } from './cel-values';
export type { AdmissionProgram, CelProgram, CompiledRule, Returns, RuleCompileError, ValidationRule } from './cel-compile';
export { evalError, validateRules, PER_CALL_COST_LIMIT, REQUEST_COST_BUDGET } from './cel-evaluate';
export { compilePolicyExpression, policyVariables } from './admission-policy-cel';
export type { PolicyExpressionPlace } from './admission-policy-cel';
