// receiver.js: a stand-in for Slack's incoming webhook. Prints every POST
// body as one line on stdout and answers "ok", as Slack does.
//   node receiver.js            (listens on 127.0.0.1:8099, or $PORT)
'use strict';
const http = require('node:http');
http.createServer((req, res) => {
  const chunks = [];
  req.on('data', (c) => chunks.push(c));
  req.on('end', () => {
    process.stdout.write(Buffer.concat(chunks).toString().replace(/\n/g, ' ') + '\n');
    res.end('ok');
  });
}).listen(Number(process.env.PORT || 8099), '127.0.0.1');
