#!/usr/bin/env node
// The `suyuan` command of package.json's `bin` (`npx suyuan verify <export.json>`): runs the
// TypeScript source through tsx where it is installed (this repository), else the build in dist/.
/* global URL */
let fromSource = true;
try {
  import.meta.resolve('tsx/esm/api');
} catch {
  fromSource = false;
}
if (fromSource) {
  const { register } = await import('tsx/esm/api');
  register();
  await import(new URL('./main.ts', import.meta.url).href);
} else {
  await import(new URL('../../dist/tools/verify/main.js', import.meta.url).href);
}
