/**
 * The socket transport handed to irc-framework. Plain TCP is irc-framework's own; for TLS this builds the socket
 * itself, because irc-framework does not pass a CA bundle through (needed for servers with a private CA). The
 * certificate and host name are verified unless verification was explicitly turned off.
 * @module
 */
import { connect as tlsConnect } from "node:tls";
import NetTransport from "irc-framework/src/transports/net.js";

/** TLS material, already read from files. */
export interface TlsMaterial {
  verify: boolean;
  ca?: string;
  cert?: string;
  key?: string;
}

/** irc-framework's "connecting" socket state (transports/net.js). */
const SOCK_CONNECTING = 1;

/** A transport class for irc-framework's `transport` option, using `tls` for TLS connections. */
export function transportFor(tls: TlsMaterial | undefined): typeof NetTransport {
  if (!tls) return NetTransport;
  return class TlsTransport extends NetTransport {
    override connect(): void {
      const options = this.options;
      const host = String(options.host);
      this.disposeSocket();
      this.requested_disconnect = false;
      this.incoming_buffer = Buffer.from("");
      if (!this.setEncoding(String(options.encoding ?? "utf8"))) this.setEncoding("utf8");
      this.state = SOCK_CONNECTING;
      this.debugOut("Connecting TLS socket..");
      const socket = tlsConnect({
        host,
        port: Number(options.port),
        // SNI only for names, as irc-framework does; verification still checks the IP against the certificate.
        ...(/^[\d.]+$|:/.test(host) ? {} : { servername: host }),
        rejectUnauthorized: tls.verify,
        ...(tls.ca ? { ca: tls.ca } : {}),
        ...(tls.cert ? { cert: tls.cert } : {}),
        ...(tls.key ? { key: tls.key } : {}),
      });
      this.socket = socket;
      this._onSocketCreate(options, socket);
    }
  };
}
