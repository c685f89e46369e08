// Package browsertest runs Paragon's own browser SDK, @useparagon/connect,
// in headless Chromium against paragontest. It holds only tests; the npm
// packages it needs are pinned in testdata/package.json and installed with
// "npm ci" in testdata. Without Chromium or node_modules the test skips,
// unless PARAGON_BROWSERTEST is set (as in CI), and it always skips under
// -short.
package browsertest
