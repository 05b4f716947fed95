/**
 * The administrative lines that English catalogue extracts carry around the description:
 * prerequisites (which name the previous course of a sequence, a trap for word matching), hours,
 * grading and transfer notes. Deterministic for a given seed.
 */
import { fnv1a } from './hash'

const SEQUENCE_PREREQUISITES = [
  (prev: string) => `Prerequisite: ${prev} with a grade of C or better.`,
  (prev: string) => `Prerequisite: ${prev} or equivalent.`,
  (prev: string) => `Prerequisites: completion of ${prev}, or consent of the instructor.`,
]
const OTHER_PREREQUISITES = [
  'Prerequisite: none.',
  'Advisory: eligibility for college-level English.',
  'Prerequisite: placement through the multiple measures process or completion of the preceding course.',
  'Recommended preparation: one year of high school coursework in the subject.',
]
const ADMIN_NOTES = [
  'Lecture 3 hours, laboratory 3 hours. Transfer: CSU, UC.',
  'Grade options: letter grade or pass/no pass. Not repeatable.',
  'Course justification: this course satisfies a lower-division major preparation requirement and a general education requirement for transfer. Formerly numbered 101.',
  'Three units. Offered fall and spring. Meets the general education area requirement.',
  'Total contact hours: 54 lecture. Materials fee may apply. Credit is not given for both this course and its honors section.',
]

export function withCatalogueNoise(ementa: string, seed: string, previousCourse?: string): string {
  const h = fnv1a(seed)
  const prerequisite = previousCourse
    ? SEQUENCE_PREREQUISITES[h % SEQUENCE_PREREQUISITES.length]!(previousCourse)
    : OTHER_PREREQUISITES[h % OTHER_PREREQUISITES.length]!
  const note = ADMIN_NOTES[(h >>> 4) % ADMIN_NOTES.length]!
  // Some extracts put the prerequisite first, some after the description.
  return (h >>> 8) % 2 === 0 ? `${prerequisite} ${ementa} ${note}` : `${ementa} ${prerequisite} ${note}`
}
