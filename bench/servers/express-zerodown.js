'use strict';
// Express 5 + zerodown: probe middleware mounted first, server attached for drain tracking.
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
zd.attach(server);
