import assert from 'node:assert/strict';
import { hasOpaqueReexport, trainerExport } from '../../../src/core/trainer';

describe('trainerExport', () => {
  it('takes the export the CLI tries first: arkor, then trainer, then default', () => {
    assert.equal(trainerExport(['default', 'trainer', 'arkor']), 'arkor');
    assert.equal(trainerExport(['default', 'trainer']), 'trainer');
    assert.equal(trainerExport(['helper', 'default']), 'default');
    assert.equal(trainerExport(['myTrainer']), undefined);
  });

  it('rules nothing out behind `export * from` a package', () => {
    const bundle = 'import "x";\nexport * from "./shared-trainer-lib";\n';
    assert.equal(hasOpaqueReexport(bundle), true);
    assert.equal(trainerExport([], hasOpaqueReexport(bundle)), 'unknown');
    assert.equal(hasOpaqueReexport('export { trainer };\nconst s = "export * from";\n'), false);
  });
});
