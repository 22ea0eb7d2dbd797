/**
 * Encryption of credentials at rest: AES-256-GCM with a random IV per value and the installation id as
 * additional data (a ciphertext cannot be moved to another installation). The key comes from
 * ENCRYPTION_KEY: 64 hex characters or 44 base64 characters are used as a 32-byte key directly; anything
 * else is treated as a passphrase and stretched with scrypt and the database's own salt.
 */
import { createCipheriv, createDecipheriv, randomBytes, scryptSync } from 'node:crypto';

export class CredentialCipher {
  private readonly key: Buffer;

  constructor(secret: string, salt: Buffer) {
    if (secret.length < 16) throw new Error('ENCRYPTION_KEY must be at least 16 characters (better: 32 random bytes as hex or base64)');
    if (/^[0-9a-fA-F]{64}$/.test(secret)) this.key = Buffer.from(secret, 'hex');
    else if (/^[A-Za-z0-9+/]{43}=$/.test(secret)) this.key = Buffer.from(secret, 'base64');
    else this.key = scryptSync(secret, salt, 32);
  }

  encrypt(plaintext: string, context: string): Buffer {
    const iv = randomBytes(12);
    const cipher = createCipheriv('aes-256-gcm', this.key, iv);
    cipher.setAAD(Buffer.from(context));
    const body = Buffer.concat([cipher.update(plaintext, 'utf8'), cipher.final()]);
    return Buffer.concat([Buffer.from([1]), iv, cipher.getAuthTag(), body]);
  }

  decrypt(payload: Uint8Array, context: string): string {
    const data = Buffer.from(payload);
    if (data[0] !== 1) throw new Error('unknown credential format');
    const iv = data.subarray(1, 13);
    const tag = data.subarray(13, 29);
    const decipher = createDecipheriv('aes-256-gcm', this.key, iv);
    decipher.setAAD(Buffer.from(context));
    decipher.setAuthTag(tag);
    return Buffer.concat([decipher.update(data.subarray(29)), decipher.final()]).toString('utf8');
  }
}
