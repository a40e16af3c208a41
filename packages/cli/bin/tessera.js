#!/usr/bin/env node
// The bin is a committed file, not a build output, so npm links it (executable) at install time;
// the command itself is the compiled dist/main.js, which the root `prepare` script builds.
import '../dist/main.js'
