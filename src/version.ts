// package.json is the one place the version is set (npm version); src/ and dist/ both sit one
// level below it, in the repository, the npm package and the image (/app/package.json).
import pkg from '../package.json' with { type: 'json' };

export const VERSION = pkg.version;
