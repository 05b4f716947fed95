import { readFileSync } from 'node:fs'
import { Copy, DockerfileParser, type Instruction } from 'dockerfile-ast'

/** One build stage of a Dockerfile: its FROM line and the instructions up to the next FROM. */
export interface Stage {
  name: string | null
  instructions: Instruction[]
}

/** A Dockerfile split into stages, parsed by dockerfile-ast (the Docker language server's parser). */
export function readStages(path: string): Stage[] {
  const stages: Stage[] = []
  for (const instruction of DockerfileParser.parse(readFileSync(path, 'utf8')).getInstructions()) {
    if (instruction.getKeyword() === 'FROM') {
      const args = instruction.getArguments().map((a) => a.getValue())
      const as = args.findIndex((a) => a.toUpperCase() === 'AS')
      stages.push({ name: as >= 0 ? (args[as + 1] ?? null) : null, instructions: [] })
    } else {
      stages.at(-1)?.instructions.push(instruction)
    }
  }
  return stages
}

export const keyword = (stage: Stage, word: string) =>
  stage.instructions.filter((i) => i.getKeyword() === word)

/** The exec-form array of a CMD/ENTRYPOINT, e.g. ["node", "--import", "tsx", "worker/entry.ts"]. */
export function execForm(instruction: Instruction): string[] {
  return JSON.parse(instruction.getArgumentsContent() ?? 'null') as string[]
}

/** Plain argument words of an instruction (flags such as --from=… excluded). */
export const words = (instruction: Instruction) => instruction.getArguments().map((a) => a.getValue())

/** The stage a COPY takes its files from (`--from=deps`), or null for the build context. */
export const copyFrom = (instruction: Instruction) =>
  instruction instanceof Copy ? (instruction.getFromFlag()?.getValue() ?? null) : null
