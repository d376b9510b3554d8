import { render } from 'preact';
import type { HostToPlayground, PlaygroundToHost } from '../../src/protocol';
import { vscodeChannel } from '../shared/hostChannel';
import { registerToolkit } from '../shared/toolkitRegister';
import '../shared/base.css';
import './playground.css';
import { PlaygroundApp } from './PlaygroundApp';

registerToolkit();
render(
  <PlaygroundApp channel={vscodeChannel<HostToPlayground, PlaygroundToHost>()} />,
  document.getElementById('app')!,
);
