// The naive renderer (re-parse and re-render everything on each change): a baseline for the
// benchmarks only, not part of the product.
import { parseMarkdown, renderBlock } from '../webview-ui/playground/markdown';

export function NaiveMarkdownView({ text, streaming }: { text: string; streaming?: boolean }) {
  return <div class={streaming ? 'md streaming' : 'md'}>{parseMarkdown(text).map(renderBlock)}</div>;
}
