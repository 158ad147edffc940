/** The logger's scrubber covers end users' tokens: anything shaped like a JWT, wherever it occurs in a line. */
import { describe, expect, it } from 'vitest';
import { createLogger } from '../../src/logger.js';

const TOKEN =
  'eyJhbGciOiJFUzI1NiIsImtpZCI6ImtleS0xIn0.eyJzdWIiOiJhbGljZUBleGFtcGxlLmNvbSIsImV4cCI6MTl9.MEUCIQDx-y_signature';

describe('token redaction', () => {
  it('replaces a JWT in a message, in fields and inside longer text, and leaves other text alone', () => {
    const lines: string[] = [];
    const logger = createLogger({ level: 'debug', format: 'json', write: (line) => lines.push(line) });
    logger.info(`refused Bearer ${TOKEN} from a client`, { header: `Bearer ${TOKEN}`, nested: { again: TOKEN } });
    expect(lines).toHaveLength(1);
    expect(lines[0]).not.toContain('eyJhbGci');
    expect(lines[0]).not.toContain('alice');
    expect(lines[0]).toContain('refused Bearer [redacted] from a client');
    expect(logger.redact('a.b.c and eyJ.x')).toBe('a.b.c and eyJ.x');
  });
});
