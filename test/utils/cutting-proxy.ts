/**
 * A TCP proxy of the test's own in front of the gateway, for a flaky link: it
 * forwards both ways and, each time the bytes sent towards the gateway (over
 * every connection) pass the next cut point, destroys that connection on both
 * sides, as a mobile link that drops does.
 */
import { createServer, connect, type AddressInfo, type Server, type Socket } from 'node:net';

export class CuttingProxy {
  private readonly server: Server;
  private readonly sockets = new Set<Socket>();
  private forwarded = 0;
  /** The cuts made so far, at these totals of bytes forwarded towards the gateway. */
  readonly cutsMade: number[] = [];
  private port = 0;

  constructor(
    private readonly target: { host: string; port: number },
    /** Totals of bytes towards the gateway at which to cut, ascending. */
    private readonly cutPoints: number[],
  ) {
    this.server = createServer((client) => this.relay(client));
  }

  get url(): string {
    return `http://127.0.0.1:${this.port}`;
  }

  async start(): Promise<void> {
    await new Promise<void>((resolve) => this.server.listen(0, '127.0.0.1', resolve));
    this.port = (this.server.address() as AddressInfo).port;
  }

  async stop(): Promise<void> {
    for (const socket of this.sockets) socket.destroy();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }

  private relay(client: Socket): void {
    const upstream = connect(this.target.port, this.target.host);
    for (const socket of [client, upstream]) {
      this.sockets.add(socket);
      socket.on('close', () => this.sockets.delete(socket));
      socket.on('error', () => undefined);
    }
    const cut = () => {
      client.destroy();
      upstream.destroy();
    };
    client.on('close', cut);
    upstream.on('close', cut);
    upstream.on('data', (chunk: Buffer) => client.write(chunk));
    client.on('data', (chunk: Buffer) => {
      const next = this.cutPoints[this.cutsMade.length];
      if (next !== undefined && this.forwarded + chunk.length >= next) {
        // Forward up to the cut point, then drop the link.
        upstream.write(chunk.subarray(0, next - this.forwarded));
        this.forwarded = next;
        this.cutsMade.push(next);
        cut();
        return;
      }
      this.forwarded += chunk.length;
      upstream.write(chunk);
    });
  }
}
