// Runs `npm ci` only when node_modules does not hold exactly what package-lock.json pins, so that repeated Maven
// builds skip a reinstall of ~20 s. `npm ci` never rewrites package-lock.json (unlike `npm install`).
import { execSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';

const packagesOf = (file) => JSON.parse(readFileSync(file, 'utf8')).packages ?? {};
const hidden = 'node_modules/.package-lock.json'; // npm's record of what it installed

function upToDate() {
  if (!existsSync(hidden)) return false;
  const installed = packagesOf(hidden);
  return Object.entries(packagesOf('package-lock.json'))
    .filter(([path]) => path !== '')
    // Optional packages for other platforms (native bindings) are legitimately absent.
    .every(([path, pkg]) => installed[path]?.version === pkg.version || (pkg.optional && !installed[path]));
}

if (!upToDate()) {
  execSync('npm ci --no-audit --no-fund --loglevel=error', { stdio: 'inherit' });
}
