import type { Dispatch, StateUpdater } from 'preact/hooks';
import { Button } from '../shared/toolkit';
import type { JobPanelUiState } from './JobApp';

/** The loss chart's controls, in its card's title row: smoothing, log scale, learning rate, CSV export. */
export function ChartControls({
  ui,
  setUi,
  loading,
  onExportCsv,
}: {
  ui: JobPanelUiState;
  setUi: Dispatch<StateUpdater<JobPanelUiState>>;
  /** A long run's points are loading: the export waits for every one. */
  loading?: boolean;
  onExportCsv(): void;
}) {
  return (
    <div class="chart-controls">
      <label class="control">
        Smoothing
        <input
          type="range"
          min="0"
          max="0.99"
          step="0.01"
          value={ui.smoothing}
          data-testid="smoothing"
          onInput={(e) => setUi((s) => ({ ...s, smoothing: Number((e.target as HTMLInputElement).value) }))}
        />
        <output class="num">{ui.smoothing.toFixed(2)}</output>
      </label>
      <Toggle
        label="Log scale"
        testId="log-scale"
        checked={ui.logScale}
        onChange={(logScale) => setUi((s) => ({ ...s, logScale }))}
      />
      <Toggle
        label="Learning rate"
        testId="show-lr"
        checked={ui.showLearningRate}
        onChange={(showLearningRate) => setUi((s) => ({ ...s, showLearningRate }))}
      />
      <Button
        appearance="secondary"
        data-testid="export-csv"
        title={loading ? 'Available once every point is loaded' : 'Save the chart data as CSV'}
        disabled={loading}
        onClick={onExportCsv}
      >
        Export CSV
      </Button>
    </div>
  );
}

function Toggle({
  label,
  testId,
  checked,
  onChange,
}: {
  label: string;
  testId: string;
  checked: boolean;
  onChange: (checked: boolean) => void;
}) {
  return (
    <label class="control">
      <input
        type="checkbox"
        checked={checked}
        data-testid={testId}
        onChange={(e) => onChange((e.target as HTMLInputElement).checked)}
      />
      {label}
    </label>
  );
}
