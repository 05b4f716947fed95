import { z } from 'zod'

/** One concept of an institution's taxonomy. Ids are unique within a taxonomy version. */
export const TaxonomyNodeSchema = z.object({
  id: z.string().min(1).max(200),
  area: z.string().max(200).default(''),
  subarea: z.string().max(200).default(''),
  conceito: z.string().min(1).max(300),
  descricao: z.string().max(2000).default(''),
  /** Synonyms and phrases that signal the concept; each counts like the concept's own name. */
  palavras_chave: z.array(z.string().min(1).max(200)).max(100).default([]),
  nivel: z.union([z.string().max(50), z.number().int()]).nullish(),
  critico: z.boolean().default(false),
})

export type TaxonomyNode = z.infer<typeof TaxonomyNodeSchema>
export type TaxonomyNodeInput = z.input<typeof TaxonomyNodeSchema>

export const TaxonomySchema = z.object({
  version: z.string().min(1).max(100),
  nodes: z.array(TaxonomyNodeSchema).max(5000),
})

export type Taxonomy = z.infer<typeof TaxonomySchema>
