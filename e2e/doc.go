// Package e2e holds Assure's browser tests: the real server, in-process over
// a fresh database with the demo sector, driven through headless Chromium as
// a person would use it, with axe-core checking the accessibility of every
// page the tests visit. The package has no code outside its tests.
package e2e
