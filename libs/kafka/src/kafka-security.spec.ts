import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from '@jest/globals';
import { validateConfig } from '@sluice/sdk';
import { KafkaSaslConfig, kafkaSecurityOptions, secretScrubber, securityIssues } from './kafka-security.js';

const PLAIN = { ssl: false, sslRejectUnauthorized: true } as const;
const CA = '-----BEGIN CERTIFICATE-----\nX\n-----END CERTIFICATE-----\n';

describe('Kafka TLS and SASL options', () => {
  it('are off by default', () => {
    expect(kafkaSecurityOptions(PLAIN, '/')).toEqual({ ssl: false });
  });

  it('turn TLS on with the CA read relative to the config folder, and pass the SASL credentials', () => {
    const dir = mkdtempSync(join(tmpdir(), 'sluice-kafka-security-'));
    writeFileSync(join(dir, 'ca.pem'), CA);
    const sasl = Object.assign(new KafkaSaslConfig(), { mechanism: 'scram-sha-512', username: 'u', password: 'pw' });
    expect(kafkaSecurityOptions({ ssl: true, sslCaFile: 'ca.pem', sslRejectUnauthorized: false, sasl }, dir)).toEqual({
      ssl: { rejectUnauthorized: false, ca: [CA] },
      sasl: { mechanism: 'scram-sha-512', username: 'u', password: 'pw' },
    });
  });

  it('name the CA file they cannot read', () => {
    expect(() => kafkaSecurityOptions({ ssl: true, sslCaFile: 'missing.pem', sslRejectUnauthorized: true }, '/nowhere')).toThrow('cannot read sslCaFile /nowhere/missing.pem');
  });

  it('refuse TLS settings without ssl, and an unknown SASL mechanism', () => {
    expect(securityIssues({ ssl: false, sslCaFile: 'ca.pem', sslRejectUnauthorized: false })).toEqual([
      { path: 'sslCaFile', message: 'only applies with ssl: true' },
      { path: 'sslRejectUnauthorized', message: 'only applies with ssl: true' },
    ]);
    expect(validateConfig(KafkaSaslConfig, { mechanism: 'gssapi', username: 'u', password: 'p' }).issues.map((issue) => issue.path)).toEqual(['mechanism']);
  });

  it('scrub the SASL password from any text', () => {
    const scrub = secretScrubber({ sasl: Object.assign(new KafkaSaslConfig(), { mechanism: 'plain', username: 'u', password: 's3cret' }) });
    expect(scrub('login with s3cret failed: s3cret')).toBe('login with *** failed: ***');
  });
});
