/** The engine's public surface: the contract other modules rely on (see AGENTS.md). */
export {
  CourseSchema,
  EvaluateRequestSchema,
  EvaluateResponseSchema,
  DecisaoSchema,
  HardRuleSchema,
  EvidenceSchema,
  toValidationIssues,
  type Course,
  type CourseInput,
  type EvaluateRequest,
  type EvaluateRequestInput,
  type EvaluateResponse,
  type Decisao,
  type HardRule,
  type Evidence,
  type ValidationIssue,
} from './schemas'
export { PolicySchema, DEFAULT_POLICY, type Policy, type PolicyInput } from './policy'
export { TaxonomyNodeSchema, TaxonomySchema, type TaxonomyNode, type TaxonomyNodeInput, type Taxonomy } from './taxonomy'
export { createLexicalMapper, MAPPER_VERSION, type ConceptMapper, type ConceptMatch, type MappingInput } from './mapper'
export { createMemoryMappingCache, hashText, type MappingCache } from './cache'
export { evaluateEquivalence, type EvaluationContext } from './evaluate'
export { calibrateSimilarity, combineSignals, semanticWeightsTag, type SemanticSignal, type SemanticWeights } from './hybrid'
export type { Concept } from './concepts'
