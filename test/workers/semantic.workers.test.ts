/// <reference types="@cloudflare/vitest-pool-workers/types" />
import { describe, expect, inject, it } from 'vitest'
import { EvaluateRequestSchema, PolicySchema } from '../../engine/index'
import { createSemanticServices, evaluateWithSemantic, parseAiConfig } from '../../services/ai/index'

/**
 * The semantic tier inside workerd: fetch and Web Crypto only, against the OpenAI-compatible
 * stand-in that global-setup.ts runs in Node.
 */
const { ai } = inject('workerd')
const policy = PolicySchema.parse({})
const request = EvaluateRequestSchema.parse({
  origem: { nome: 'Cálculo I', ementa: 'Limites de funções; derivadas e regra da cadeia; integrais definidas e por partes.' },
  destino: { nome: 'Cálculo I', ementa: '1 - Limites. 2 - Derivadas. 3 - Integrais.' },
})
const ctx = { policy, policyVersion: 'p', referenceDate: '2026-01-01' }

describe('semantic mapping inside workerd', () => {
  it('embeds through fetch and maps with both signals; a repeat is served from memory', async () => {
    const services = createSemanticServices(parseAiConfig({ EMBED_URL: ai.baseUrl }))
    const first = await evaluateWithSemantic(request, ctx, services, 'workerd-tenant')
    expect(first.model_version.startsWith('hibrido-1:lexical-1.0.0+openai:text-embedding-3-small')).toBe(true)
    expect(first.meta.semantico).toMatchObject({ estado: 'ok', chamadas_provedor: 1 })
    const again = await evaluateWithSemantic(request, ctx, services, 'workerd-tenant')
    expect(again.meta.semantico).toMatchObject({ estado: 'ok', chamadas_provedor: 0 })
  })

  it('a provider that refuses the call falls back to the lexical mapper', async () => {
    // The stand-in answers 404 under an unknown base path.
    const services = createSemanticServices(parseAiConfig({ EMBED_URL: `${ai.baseUrl}/no-such-api`, AI_RETRIES: '0' }))
    const r = await evaluateWithSemantic(request, ctx, services, 'workerd-tenant')
    expect(r.model_version.startsWith('lexical-1.0.0')).toBe(true)
    expect(r.meta.semantico).toMatchObject({ estado: 'fallback_lexical', motivo: 'client' })
  })
})
