// Tells the benchmark parent (over IPC) the port a server listens on, and answers its requests for
// this process's CPU time, so costs can be read as CPU µs per request, which other load on the
// machine disturbs far less than req/s.
export function reportReady(server) {
  process.on('message', (message) => {
    if (message === 'cpu') process.send({ cpu: process.cpuUsage() });
  });
  process.on('SIGINT', () => process.exit(0));
  process.send({ port: server.address().port });
}
