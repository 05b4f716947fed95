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
export { evaluateEquivalence, scoringInput, type EvaluationContext, type ScoringInput } from './evaluate'
export { decideByScore, scoreOf, type Thresholds } from './score'
export { DEFAULT_MODEL_VERSION, MODEL_VERSIONS, modelByVersion } from './model/registry'
export { compileModel, predict, ModelArtefactSchema, type CompiledModel, type ModelArtefact } from './model/gbdt'
export {
  LEXICAL_FEATURE_NAMES,
  MODEL_FEATURE_DIRECTIONS,
  MODEL_FEATURE_NAMES,
  SEMANTIC_FEATURE_NAMES,
  type ModelFeatureName,
  type SemanticPairSignals,
} from './model/features'
export { calibrateSimilarity, combineSignals, semanticWeightsTag, type SemanticSignal, type SemanticWeights } from './hybrid'
export type { Concept } from './concepts'
