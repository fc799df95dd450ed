'use strict';
// Bare Express 5: the hello route only.
const express = require('express');
const { HELLO, announce } = require('./_shared');

const app = express();
app.get('/', (req, res) => res.send(HELLO));
const server = app.listen(0, '127.0.0.1', () => announce(server.address().port));
