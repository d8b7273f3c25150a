// The request loop of request_loop.wren in JavaScript for Node (issue 16):
// builds N entries, then serves 2000 requests of 500 small arrays and strings
// each, storing one of them into an old entry. Prints the same lines as the
// Wren program; the clock is process.hrtime.bigint (monotonic, nanoseconds).
// Usage: node request_loop.js N
"use strict";

const data = [];

function build(n) {
  const pad = "x".repeat(100);
  for (let i = 0; i < n; i++) data.push([pad + i.toString(), i]);
}

function ms(ns) { return Math.round(Number(ns) / 1e3) / 1e3; }

function serve(requests) {
  console.log("serving");
  const times = [];
  const count = data.length;
  for (let r = 0; r < requests; r++) {
    const start = process.hrtime.bigint();
    const tmp = [];
    for (let k = 0; k < 500; k++) tmp.push([k, `req ${r} ${k}`]);
    data[(r * 7919) % count][1] = tmp[r % 500];
    times.push(process.hrtime.bigint() - start);
  }
  times.sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
  console.log(`requests p50 ${ms(times[requests / 2])} p99 ${ms(times[Math.floor(requests * 99 / 100)])} max ${ms(times[times.length - 1])} ms`);
  let nums = 0;
  let lists = 0;
  for (const e of data) {
    if (typeof e[1] === "number") {
      nums += e[1];
    } else {
      lists += e[1][0];
    }
  }
  console.log(`result ${data.length} ${nums} ${lists}`);
}

build(Number(process.argv[2]));
serve(2000);
