/**
 * The peer the gateway is measured against: Yoga's built-in multipart support
 * (a `File` scalar) forwarding the upload to the simulator. Bench harness only;
 * the gateway never ships this path, because Yoga reads the whole file into
 * memory before the resolver runs.
 */
import { createServer } from 'node:http';
import { createSchema, createYoga } from 'graphql-yoga';

const simulatorUrl = process.env.SIMULATOR_URL!;
const apiKey = process.env.SIMULATOR_KEY!;

const yoga: ReturnType<typeof createYoga> = createYoga({
  maxRequestBodySize: 8 * 1024 ** 3,
  logging: false,
  schema: createSchema({
    typeDefs: /* GraphQL */ `
      scalar File
      type Query {
        ok: Boolean
      }
      type Video {
        videoNo: ID!
      }
      type Mutation {
        uploadVideo(file: File!): Video!
      }
    `,
    resolvers: {
      Mutation: {
        uploadVideo: async (_root: unknown, { file }: { file: File }) => {
          // Yoga's own fetch API takes its File as it is (undici's FormData would want a copy).
          const form = new yoga.fetchAPI.FormData();
          form.append('file', file, file.name);
          const answer = await yoga.fetchAPI.fetch(`${simulatorUrl}/api/serve/video/upload`, {
            method: 'POST',
            body: form,
            headers: { authorization: apiKey },
          });
          const envelope = (await answer.json()) as { data: { videoNo: string } };
          return envelope.data;
        },
      },
    },
  }),
});

const server = createServer({ requestTimeout: 0 }, (req, res) => void yoga(req, res));
server.listen(0, '127.0.0.1', () => {
  const { port } = server.address() as { port: number };
  process.stdout.write(`YOGA_PEER http://127.0.0.1:${port}\n`);
});
process.on('SIGTERM', () => server.close(() => process.exit(0)));
