import type { ComponentChildren, VNode } from 'preact';

/** A column's heading: its text, or with a tooltip, or read by screen readers only (an actions column). */
export type ColumnHeading = string | { label: string; title?: string; visuallyHidden?: boolean };

/**
 * A table of an editor panel (panel.css `.data-table`), `data-testid` `testId`: one heading per
 * column, one row per item (`children` draws it). With `empty`, no items show that muted line
 * (`data-testid` `no-<testId>`) instead of an empty table.
 */
export function DataTable<T>(props: {
  testId: string;
  /** Classes before `data-table`. */
  class?: string;
  columns: readonly ColumnHeading[];
  rows: readonly T[];
  empty?: string;
  children: (item: T, index: number) => VNode;
}) {
  if (props.empty !== undefined && props.rows.length === 0) {
    return (
      <p class="muted" data-testid={`no-${props.testId}`}>
        {props.empty}
      </p>
    );
  }
  return (
    <table class={props.class ? `${props.class} data-table` : 'data-table'} data-testid={props.testId}>
      <thead>
        <tr>{props.columns.map(heading)}</tr>
      </thead>
      <tbody>{props.rows.map((item, index) => props.children(item, index))}</tbody>
    </table>
  );
}

function heading(column: ColumnHeading): ComponentChildren {
  const c: Exclude<ColumnHeading, string> = typeof column === 'string' ? { label: column } : column;
  return (
    <th key={c.label} scope="col" title={c.title}>
      {c.visuallyHidden ? <span class="visually-hidden">{c.label}</span> : c.label}
    </th>
  );
}
