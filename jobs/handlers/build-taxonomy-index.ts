import type { TaxonomyNode } from '../../engine/index'
import { embeddingKey, nodeText } from '../../services/ai/index'
import { BuildTaxonomyIndexBody } from '../messages'
import type { JobHandler } from '../types'
import type { Embedder, EmbeddingStore } from '../embeddings/types'

export interface BuildTaxonomyIndexDeps {
  loadTaxonomy: (tenantId: string, version: string) => Promise<{ nodes: readonly TaxonomyNode[] } | null>
  embedder: Embedder
  embeddings: EmbeddingStore
  /** Texts per embeddings call. @default 64 */
  chunkSize?: number
}

/** The text a node is embedded as (services/ai/passages.ts, where the semantic mapper reads it too). */
export { nodeText }

/**
 * `POST /jobs/build-taxonomy-index {tenant_id, taxonomy_version}`: embeds every node of a taxonomy
 * version that the cache does not already hold for this model. Re-running it is cheap and safe.
 * Keys are the semantic mapper's (`embeddingKey`: the tenant is hashed in), so no vector is shared
 * between tenants and the mapper finds these without a provider call.
 */
export function buildTaxonomyIndexHandler(deps: BuildTaxonomyIndexDeps): JobHandler {
  const chunkSize = deps.chunkSize ?? 64
  return async (body) => {
    const parsed = BuildTaxonomyIndexBody.safeParse(body)
    if (!parsed.success) return { status: 'give-up', error: 'malformed build-taxonomy-index message' }
    const taxonomy = await deps.loadTaxonomy(parsed.data.tenant_id, parsed.data.taxonomy_version)
    if (!taxonomy) return { status: 'give-up', error: `unknown taxonomy_version '${parsed.data.taxonomy_version}'` }

    const texts = new Map<string, string>()
    for (const node of taxonomy.nodes) {
      const text = nodeText(node)
      texts.set(await embeddingKey(parsed.data.tenant_id, text), text)
    }
    const model = deps.embedder.model
    const missing = [...(await deps.embeddings.missing([...texts.keys()], model))]
    for (let start = 0; start < missing.length; start += chunkSize) {
      const hashes = missing.slice(start, start + chunkSize)
      const vectors = await deps.embedder.embed(hashes.map((h) => texts.get(h)!))
      await deps.embeddings.put(hashes.map((textHash, i) => ({ textHash, model, vector: vectors[i]! })))
    }
    return { status: 'ok', detail: { nodes: taxonomy.nodes.length, embedded: missing.length, model } }
  }
}
