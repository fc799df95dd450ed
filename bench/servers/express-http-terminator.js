'use strict';
// Express 5 + http-terminator (a peer): graceful termination as its README shows (no health probes).
const express = require('express');
const { createHttpTerminator } = require('http-terminator');
const { HELLO, announce } = require('./_shared');

const app = express();
app.get('/', (req, res) => res.send(HELLO));
const server = app.listen(0, '127.0.0.1', () => announce(server.address().port));
const terminator = createHttpTerminator({ server, gracefulTerminationTimeout: 1000 });
process.once('SIGTERM', () => terminator.terminate().then(() => process.exit(0)));
