import type { ComponentChildren } from 'preact';

/**
 * A card of an editor panel (panel.css): a section labelled by its heading, `<id>-heading`. What
 * `aside` holds (controls, a note) sits at the end of the title row.
 */
export function Card(props: {
  id: string;
  title: string;
  class?: string;
  testId?: string;
  aside?: ComponentChildren;
  children?: ComponentChildren;
}) {
  const heading = `${props.id}-heading`;
  return (
    <section
      class={props.class ? `card ${props.class}` : 'card'}
      aria-labelledby={heading}
      data-testid={props.testId}
    >
      <div class="card-title">
        <h2 id={heading}>{props.title}</h2>
        {props.aside}
      </div>
      {props.children}
    </section>
  );
}
