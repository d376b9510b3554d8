import { render } from 'preact';
import type { EndpointPanelToHost, HostToEndpointPanel } from '../../src/protocol';
import { vscodeChannel } from '../shared/hostChannel';
import { registerToolkit } from '../shared/toolkitRegister';
import '../shared/base.css';
import '../shared/panel.css';
import './endpoint.css';
import { EndpointApp } from './EndpointApp';

registerToolkit();
render(
  <EndpointApp channel={vscodeChannel<HostToEndpointPanel, EndpointPanelToHost>()} />,
  document.getElementById('app')!,
);
