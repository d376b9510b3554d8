import type { ComponentChildren } from 'preact';

/**
 * Codicon-like glyphs as inline SVG (no icon font, nothing remote). They draw in `currentColor`;
 * jobs.css colours them from the theme and spins the running one.
 */
function Glyph({
  label,
  class: cls,
  icon,
  children,
}: {
  label?: string;
  class?: string;
  icon?: string;
  children: ComponentChildren;
}) {
  return (
    <svg
      class={cls}
      data-icon={icon}
      width="16"
      height="16"
      viewBox="0 0 16 16"
      role="img"
      aria-label={label}
      aria-hidden={label ? undefined : 'true'}
      fill="none"
      stroke="currentColor"
      stroke-width="1.5"
      stroke-linecap="round"
    >
      {label && <title>{label}</title>}
      {children}
    </svg>
  );
}

/** What each known status draws; any other status, unknownStatus. */
const STATUS_GLYPHS = new Map<string, () => ComponentChildren>([
  [
    'running',
    () => (
      <>
        <circle cx="8" cy="8" r="5.5" opacity="0.3" />
        <path d="M8 2.5a5.5 5.5 0 0 1 5.5 5.5" />
      </>
    ),
  ],
  ['completed', () => <path d="M3 8.5l3.2 3.2L13 4.8" />],
  [
    'failed',
    () => (
      <>
        <circle cx="8" cy="8" r="5.5" />
        <path d="M6 6l4 4M10 6l-4 4" />
      </>
    ),
  ],
  [
    'queued',
    () => (
      <>
        <circle cx="8" cy="8" r="5.5" />
        <path d="M8 5v3.2l2 1.3" />
      </>
    ),
  ],
  [
    'cancelled',
    () => (
      <>
        <circle cx="8" cy="8" r="5.5" />
        <path d="M4.2 11.8l7.6-7.6" />
      </>
    ),
  ],
]);
const unknownStatus = () => <circle cx="8" cy="8" r="5.5" stroke-dasharray="2 2" />;

/** The status glyph; its label ("running", …) is the status for screen readers and on hover. */
export function StatusIcon({ status }: { status: string }) {
  const glyph = STATUS_GLYPHS.get(status);
  return (
    <Glyph class={`status-icon status-${status}`} label={status} icon={glyph ? status : 'unknown'}>
      {(glyph ?? unknownStatus)()}
    </Glyph>
  );
}

export function Chevron({ expanded }: { expanded: boolean }) {
  return (
    <Glyph class={`chevron${expanded ? ' expanded' : ''}`}>
      <path d="M6 4l4 4-4 4" />
    </Glyph>
  );
}

export function PlaygroundIcon() {
  return (
    <Glyph>
      <path d="M2 3.5h8v5H6l-2.5 2v-2H2z" />
      <path d="M10 6h4v5h-1.5v2L10 11H7.5V8.5" />
    </Glyph>
  );
}
