export { compileSchemaRules, compiledRulesOf } from './cel-compile';
export type { CompiledRule, RuleCompileError, ValidationRule } from './cel-compile';
export { validateRules, PER_CALL_COST_LIMIT, REQUEST_COST_BUDGET } from './cel-evaluate';
