// A small round-robin HTTP balancer (node:http) in front of the app instances: each request goes to
// the next instance in turn. A request an instance cannot take (connection refused or reset) is
// answered 502 by the balancer, and counted, so a test can tell the balancer's errors from the apps'.
import { Agent, createServer, request } from 'node:http';

/**
 * Starts a balancer on 127.0.0.1:`port` (default: a free port) over `targets` (`http://host:port`
 * URLs). Rejects with the listen error (EADDRINUSE for a busy port).
 */
export async function startBalancer(targets, { port = 0 } = {}) {
  const agent = new Agent({ keepAlive: true, maxSockets: 256 });
  const upstreams = targets.map((target) => new URL(target));
  let next = 0;
  let errors = 0;
  const server = createServer((req, res) => {
    const target = upstreams[next];
    next = (next + 1) % upstreams.length;
    forward(req, res, target, true);
  });

  function forward(req, res, target, mayRetry) {
    const upstream = request(
      {
        host: target.hostname,
        port: target.port,
        method: req.method,
        path: req.url,
        headers: req.headers,
        agent,
      },
      (answer) => {
        res.writeHead(answer.statusCode ?? 502, answer.headers);
        answer.pipe(res);
      },
    );
    upstream.on('error', (error) => {
      // An idle keep-alive connection the instance closed just as it was reused: the request never
      // reached it. Send a request without a body once more, as Node's documentation advises.
      const bodiless = req.method === 'GET' || req.method === 'HEAD';
      if (mayRetry && bodiless && upstream.reusedSocket && error.code === 'ECONNRESET') {
        forward(req, res, target, false);
        return;
      }
      errors += 1;
      if (!res.headersSent) res.writeHead(502, { 'X-Balancer': 'upstream failed' });
      res.end();
    });
    if (req.method === 'GET' || req.method === 'HEAD') upstream.end();
    else req.pipe(upstream);
  }
  server.keepAliveTimeout = 5000;
  await new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, '127.0.0.1', resolve);
  });
  return {
    url: `http://127.0.0.1:${server.address().port}`,
    /** Requests the balancer could not hand to an instance. */
    get errors() {
      return errors;
    },
    close() {
      agent.destroy();
      server.closeAllConnections();
      return new Promise((resolve) => server.close(resolve));
    },
  };
}
