export { type Block, type ListItem, MarkdownStream, parseMarkdown } from './blocks';
export { type Inline, InlineParser, type Meter, parseInline } from './inline';
export { MarkdownView, type MarkdownViewProps, renderBlock } from './MarkdownView';
