import { render } from 'preact';
import type { HostToJobsView, JobsViewToHost } from '../../src/protocol';
import { vscodeChannel } from '../shared/hostChannel';
import { registerToolkit } from '../shared/toolkitRegister';
import '../shared/base.css';
import './jobs.css';
import { JobsApp } from './JobsApp';

registerToolkit();
render(
  <JobsApp channel={vscodeChannel<HostToJobsView, JobsViewToHost>()} />,
  document.getElementById('app')!,
);
