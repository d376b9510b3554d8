import { render } from 'preact';
import type { HostToJobPanel, JobPanelToHost } from '../../src/protocol';
import { vscodeChannel } from '../shared/hostChannel';
import { registerToolkit } from '../shared/toolkitRegister';
import 'uplot/dist/uPlot.min.css';
import '../shared/base.css';
import '../shared/panel.css';
import './job.css';
import { JobApp } from './JobApp';

registerToolkit();
render(<JobApp channel={vscodeChannel<HostToJobPanel, JobPanelToHost>()} />, document.getElementById('app')!);
