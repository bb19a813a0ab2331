/**
 * The V8 flags measured for the services (services/common/runtime/node-flags.ts) are the ones in
 * force wherever a service starts: `npm start` passes them on its command line, and the image
 * every container runs (the embedded platform, and each service of docker-compose.yml) in
 * NODE_OPTIONS. The tests' own processes take them from the list itself.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { PROJECT_ROOT } from '../../../../services/common/project-paths.js';
import { SERVICE_NODE_FLAGS } from '../../../../services/common/runtime/node-flags.js';

const flags = SERVICE_NODE_FLAGS.join(' ');

describe('the V8 flags of the services', () => {
  it('are on the command line of npm start', () => {
    const scripts = JSON.parse(readFileSync(join(PROJECT_ROOT, 'package.json'), 'utf8')) as {
      scripts: Record<string, string>;
    };
    expect(scripts.scripts.start).toMatch(
      new RegExp(`&& node ${flags} dist/services/embedded/main\\.js$`),
    );
  });

  it('are in the NODE_OPTIONS of the image, and nothing else is', () => {
    const dockerfile = readFileSync(join(PROJECT_ROOT, 'infra', 'Dockerfile'), 'utf8');
    const set = [...dockerfile.matchAll(/^ENV NODE_OPTIONS=(.*)$/gm)].map((match) => match[1]);
    expect(set).toEqual([flags]);
  });
});
