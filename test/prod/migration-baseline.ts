import { execFileSync } from 'node:child_process'
import { mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join, relative } from 'node:path'

/**
 * The migrations a production database may be on today, to prove the current set migrates it
 * forward: those of the newest release tag (`v*`) reachable from HEAD's parent or, before the
 * first release (or in a shallow clone without tags), the first migration alone.
 */

export interface JournalEntry {
  idx: number
  when: number
  tag: string
}
interface Journal {
  entries: JournalEntry[]
}

export interface Baseline {
  /** Where it came from, for messages: `v1.2.0` or `first migration`. */
  source: string
  /** A drizzle migrations folder (meta/_journal.json + <tag>.sql files). */
  folder: string
  entries: JournalEntry[]
  /** SQL text per tag, as released. */
  sql: Map<string, string>
}

const git = (cwd: string, ...args: string[]) =>
  execFileSync('git', args, { cwd, encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] })

function latestReleaseTag(repo: string): string | null {
  try {
    // From HEAD's parent: on a release commit itself, the previous release is the one before it.
    return git(repo, 'describe', '--tags', '--abbrev=0', '--match', 'v*', 'HEAD~1').trim() || null
  } catch {
    return null // no tag reachable, or not a git checkout
  }
}

export function readJournal(folder: string): JournalEntry[] {
  return (JSON.parse(readFileSync(join(folder, 'meta', '_journal.json'), 'utf8')) as Journal).entries
}

/** Writes the baseline migrations into a temporary drizzle migrations folder. */
export function previousRelease(repo: string, migrationsFolder: string): Baseline {
  const tag = latestReleaseTag(repo)
  const journalFile = join(migrationsFolder, 'meta', '_journal.json')
  let journal: Journal
  let sqlOf: (migrationTag: string) => string
  if (tag) {
    const at = (file: string) => git(repo, 'show', `${tag}:${relative(repo, file)}`)
    journal = JSON.parse(at(journalFile)) as Journal
    sqlOf = (t) => at(join(migrationsFolder, `${t}.sql`))
  } else {
    const current = JSON.parse(readFileSync(journalFile, 'utf8')) as Journal
    journal = { ...current, entries: current.entries.slice(0, 1) }
    sqlOf = (t) => readFileSync(join(migrationsFolder, `${t}.sql`), 'utf8')
  }
  const folder = mkdtempSync(join(tmpdir(), 'ee-migrations-baseline-'))
  mkdirSync(join(folder, 'meta'))
  writeFileSync(join(folder, 'meta', '_journal.json'), JSON.stringify(journal))
  const sql = new Map<string, string>()
  for (const entry of journal.entries) {
    sql.set(entry.tag, sqlOf(entry.tag))
    writeFileSync(join(folder, `${entry.tag}.sql`), sql.get(entry.tag)!)
  }
  return { source: tag ?? 'first migration', folder, entries: journal.entries, sql }
}
