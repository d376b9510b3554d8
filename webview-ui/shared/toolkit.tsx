/**
 * Our wrappers over @vscode/webview-ui-toolkit's elements. The toolkit is deprecated upstream, so the
 * UI uses only these wrappers and a swap (to @vscode-elements, or plain themed HTML) touches this file
 * and toolkitRegister.ts alone. Rendering is separate from registration: component tests render the
 * same elements in jsdom without loading the toolkit's web components.
 */
import type { ComponentChildren, HTMLAttributes } from 'preact';

type Html = HTMLAttributes<HTMLElement>;

export function Button(
  props: Html & {
    appearance?: 'primary' | 'secondary' | 'icon';
    disabled?: boolean;
    children?: ComponentChildren;
  },
) {
  const { appearance = 'primary', children, disabled = false, ...rest } = props;
  // Always an explicit boolean: when Preact reuses one <vscode-button> (Send becoming Stop) and the
  // prop disappears, it would set `disabled = ''`, which the toolkit reads as true (a dead Stop button).
  return (
    <vscode-button appearance={appearance} disabled={disabled} {...rest}>
      {children}
    </vscode-button>
  );
}

export function ProgressRing(props: Html) {
  return <vscode-progress-ring {...props} />;
}

export function Badge(props: Html & { children?: ComponentChildren }) {
  return <vscode-badge {...props} />;
}

declare module 'preact' {
  namespace JSX {
    interface IntrinsicElements {
      'vscode-button': HTMLAttributes<HTMLElement> & { appearance?: string; disabled?: boolean };
      'vscode-progress-ring': HTMLAttributes<HTMLElement>;
      'vscode-badge': HTMLAttributes<HTMLElement>;
      'vscode-text-field': HTMLAttributes<HTMLElement> & { value?: string; placeholder?: string };
      'vscode-text-area': HTMLAttributes<HTMLElement> & {
        value?: string;
        placeholder?: string;
        rows?: number;
      };
      'vscode-checkbox': HTMLAttributes<HTMLElement> & { checked?: boolean };
      'vscode-dropdown': HTMLAttributes<HTMLElement> & { value?: string };
      'vscode-option': HTMLAttributes<HTMLElement> & { value?: string; selected?: boolean };
      'vscode-divider': HTMLAttributes<HTMLElement>;
    }
  }
}
