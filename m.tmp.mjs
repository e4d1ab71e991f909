import fs from 'node:fs';
await import(process.argv[2]);
await new Promise(r=>setTimeout(r,500));
const s=fs.readFileSync('/proc/self/status','utf8');
console.log(process.argv[2], /VmRSS:\s+(\d+)/.exec(s)[1]/1024|0, 'MiB', (process.memoryUsage().heapUsed/1048576|0), 'heap MiB');
