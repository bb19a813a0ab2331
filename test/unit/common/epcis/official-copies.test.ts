/**
 * The GS1 artefacts under schemas/epcis/ are the official ones unchanged: capture checks
 * documents, and the tests check every query answer, against the copy, so "validates against the
 * copy" means "validates against ../shared/epcis/EPCIS-JSON-Schema.json" only while they agree.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { PROJECT_ROOT } from '../../../../services/common/project-paths.js';
import { readShared, SHARED_EPCIS_ABSENT } from '../../../support/shared-epcis.js';

describe.skipIf(SHARED_EPCIS_ABSENT !== undefined)('the copied GS1 artefacts', () => {
  it.each(['EPCIS-JSON-Schema.json', 'epcis-context.jsonld'])('%s is the official file', (file) => {
    const copy = readFileSync(join(PROJECT_ROOT, 'schemas', 'epcis', file), 'utf8');
    expect(
      copy === readShared('.', file),
      `schemas/epcis/${file} differs from ../shared/epcis`,
    ).toBe(true);
  });
});
