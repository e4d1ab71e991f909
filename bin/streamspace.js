#!/usr/bin/env node
// Entry point of the `streamspace` command. The sources are TypeScript run by Node 24's
// built-in type stripping, so there is no build step between a checkout and a running platform.
import '../src/cli/main.ts';
