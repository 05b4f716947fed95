/**
 * Run by deno.test.ts under Deno: the semantic tier against the stand-in whose base URL is the
 * first argument; prints the answer's model_version and meta.semantico as one JSON line.
 */
import { EvaluateRequestSchema, PolicySchema } from '../../engine/index'
import { createSemanticServices, evaluateWithSemantic, parseAiConfig } from '../../services/ai/index'

declare const Deno: { args: string[] }

const services = createSemanticServices(parseAiConfig({ EMBED_URL: Deno.args[0] }))
const request = EvaluateRequestSchema.parse({
  origem: { nome: 'Cálculo I', ementa: 'Limites de funções; derivadas e regra da cadeia; integrais definidas e por partes.' },
  destino: { nome: 'Cálculo I', ementa: '1 - Limites. 2 - Derivadas. 3 - Integrais.' },
})
const r = await evaluateWithSemantic(request, { policy: PolicySchema.parse({}), policyVersion: 'p', referenceDate: '2026-01-01' }, services, 'deno-tenant')
console.log(JSON.stringify({ model_version: r.model_version, semantico: r.meta.semantico }))
