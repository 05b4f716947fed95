import type { Child, FC } from 'hono/jsx'
import { Csrf } from './layout'

/**
 * The pieces the console's list and admin pages repeat: a labelled field of a filter or form
 * (a text/date input or a select), the filter's submit button, a table's column headers and a
 * one-button form post carrying the CSRF token. Each renders exactly the markup the pages wrote
 * out by hand (labels tied to their controls, `scope="col"` headers) so accessibility stays as
 * axe-core checks it.
 */

export type SelectOption = { value: string; label: Child; selected?: boolean }

/** `<div><label/><select/></div>`: a select with its label, as the filter rows lay them out. */
export const SelectField: FC<{ id: string; name: string; label: string; options: SelectOption[] }> = ({ id, name, label, options }) => (
  <div>
    <label for={id}>{label}</label>
    <select id={id} name={name}>
      {options.map((o) => (
        <option value={o.value} selected={o.selected}>
          {o.label}
        </option>
      ))}
    </select>
  </div>
)

/** `<div><label/><input/></div>`: a text (or date, number) input with its label. */
export const InputField: FC<{ id: string; name: string; label: string; value?: string; type?: string; maxlength?: number }> = ({
  id,
  name,
  label,
  value,
  type,
  maxlength,
}) => (
  <div>
    <label for={id}>{label}</label>
    <input id={id} name={name} type={type} value={value} maxlength={maxlength} />
  </div>
)

/** The filter form's (or a small form's) submit button in its own cell. */
export const SubmitCell: FC<{ label: string }> = ({ label }) => (
  <div>
    <button type="submit">{label}</button>
  </div>
)

/** A table's header row: one `<th scope="col">` per column. */
export const TableHead: FC<{ columns: string[] }> = ({ columns }) => (
  <thead>
    <tr>
      {columns.map((c) => (
        <th scope="col">{c}</th>
      ))}
    </tr>
  </thead>
)

/** A form that posts one action with the session's CSRF token (and any hidden fields) behind one button. */
export const PostButton: FC<{
  action: string
  csrf: string
  label: string
  kind?: 'secondary' | 'danger'
  ariaLabel?: string
  inline?: boolean
  hidden?: Record<string, string>
}> = ({ action, csrf, label, kind, ariaLabel, inline, hidden }) => (
  <form method="post" action={action} style={inline ? 'display:inline' : undefined}>
    <Csrf token={csrf} />
    {hidden && Object.entries(hidden).map(([name, value]) => <input type="hidden" name={name} value={value} />)}
    <button type="submit" class={kind} aria-label={ariaLabel}>
      {label}
    </button>
  </form>
)
