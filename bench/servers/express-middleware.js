'use strict';
// Express 5 + zerodown, probes served inside Express (README, second form): `app.use(zerodownExpress(zd))`
// first, and `zd.attach(server, { probes: false })` for the drain.
const express = require('express');
const { zerodownExpress } = require('@zerodown/express');
const { HELLO, announce, benchZerodown } = require('./_shared');

const zd = benchZerodown();
const app = express();
app.use(zerodownExpress(zd));
app.get('/', (req, res) => res.send(HELLO));
const server = app.listen(0, '127.0.0.1', () => {
  zd.ready();
  announce(server.address().port);
});
zd.attach(server, { probes: false });
