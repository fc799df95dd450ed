'use strict';
// What is compared: per framework, the bare server, the same server with zerodown, and peers.

const path = require('node:path');

const serverFile = (name) => path.join(__dirname, '..', 'servers', `${name}.js`);

/**
 * Comparison groups. `goal` is the target for zerodown vs bare (undefined = informational);
 * `peer` is the server zerodown must not fall below.
 */
const GROUPS = [
  {
    id: 'express',
    bare: { id: 'express-bare', label: 'Express 5 (bare)' },
    zerodown: { id: 'express-zerodown', label: 'Express 5 + zerodown' },
    peer: { id: 'express-terminus', label: 'Express 5 + terminus' },
    goal: 0.97,
  },
  {
    id: 'fastify',
    bare: { id: 'fastify-bare', label: 'Fastify 5 (bare)' },
    zerodown: { id: 'fastify-zerodown', label: 'Fastify 5 + zerodown' },
    goal: 0.97,
  },
  {
    id: 'http',
    bare: { id: 'http-bare', label: 'node:http (bare)' },
    zerodown: { id: 'http-zerodown', label: 'node:http + zerodown' },
    goal: undefined,
  },
];

/** The groups selected by `ids`, each target with its server file. */
function selectGroups(ids) {
  return GROUPS.filter((g) => ids.includes(g.id)).map((g) => {
    const withFile = (t) => t && { ...t, file: serverFile(t.id) };
    return { ...g, bare: withFile(g.bare), zerodown: withFile(g.zerodown), peer: withFile(g.peer) };
  });
}

/** Targets of a group in benchmark order; odd rounds reverse it so drift does not favour one side. */
function roundOrder(group, round) {
  const order = [group.bare, group.zerodown, group.peer].filter(Boolean);
  return round % 2 === 0 ? order : order.reverse();
}

module.exports = { selectGroups, roundOrder };
