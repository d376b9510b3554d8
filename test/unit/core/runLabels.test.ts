import assert from 'node:assert/strict';
import { formatRunLabel, type RunLabelJob, runLabels } from '../../../src/core';

const at = (minute: number) => new Date(Date.UTC(2026, 0, 1, 10, minute)).toISOString();
const run = (id: string, name: string, createdAt?: string | null): RunLabelJob => ({ id, name, createdAt });

describe('run labels', () => {
  it('numbers the runs of one name oldest first, whatever the list order (newest first from the API)', () => {
    const labels = runLabels([
      run('c', 'captain-speak', at(30)),
      run('x', 'summariser', at(25)),
      run('b', 'captain-speak', at(20)),
      run('a', 'captain-speak', at(10)),
    ]);
    assert.equal(labels.get('a'), 'captain-speak #1');
    assert.equal(labels.get('b'), 'captain-speak #2');
    assert.equal(labels.get('c'), 'captain-speak #3');
    assert.equal(labels.get('x'), 'summariser #1', 'each name is numbered on its own');
  });

  it('keeps every earlier label when a new run arrives, and the only run is #1 from the start', () => {
    const first = [run('a', 'captain-speak', at(10))];
    assert.equal(runLabels(first).get('a'), 'captain-speak #1');
    const later = [run('b', 'captain-speak', at(11)), ...first];
    const labels = runLabels(later);
    assert.equal(labels.get('a'), 'captain-speak #1');
    assert.equal(labels.get('b'), 'captain-speak #2');
  });

  it('orders equal creation times by id, and runs without a readable time after the others', () => {
    const labels = runLabels([
      run('z', 'p', at(5)),
      run('m', 'p', null),
      run('y', 'p', at(5)),
      run('k', 'p', 'not a date'),
      run('w', 'p', at(1)),
    ]);
    assert.deepEqual(
      ['w', 'y', 'z', 'k', 'm'].map((id) => labels.get(id)),
      ['p #1', 'p #2', 'p #3', 'p #4', 'p #5'],
    );
  });

  it('gives every job a different label', () => {
    const jobs = Array.from({ length: 30 }, (_, i) => run(`j${i}`, i % 3 === 0 ? 'a' : 'b', at(i)));
    const labels = runLabels(jobs);
    assert.equal(new Set(labels.values()).size, jobs.length);
    assert.equal(formatRunLabel('a', 3), 'a #3');
  });
});
