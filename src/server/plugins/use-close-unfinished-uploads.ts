import type { IncomingMessage } from 'node:http';
import type { Plugin } from 'graphql-yoga';

/**
 * When an upload is answered before the client finished sending it (MAVI failed,
 * the file was refused), answer with `Connection: close`: Node then closes the
 * socket after the response instead of reading, and discarding, the rest of a
 * possibly huge body. (Yoga reads every other body whole before it answers.)
 */
export function useCloseUnfinishedUploads(): Plugin<{ req?: IncomingMessage }> {
  return {
    onResponse({ response, serverContext }) {
      const req = (serverContext as { req?: IncomingMessage } | undefined)?.req;
      if (req && !req.complete) response.headers.set('connection', 'close');
    },
  };
}
