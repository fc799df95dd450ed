'use strict';
// Express 5 + zerodown as the README sets it up: zd.attach(server) tracks the drain and answers the
// probes in front of Express (the @zerodown/express middleware is for probes served inside the app).
const express = require('express');
const { HELLO, announce, benchZerodown } = require('./_shared');

const zd = benchZerodown();
const app = express();
app.get('/', (req, res) => res.send(HELLO));
const server = app.listen(0, '127.0.0.1', () => {
  zd.ready();
  announce(server.address().port);
});
zd.attach(server);
