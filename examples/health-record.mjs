// A nested JWT for a health record: the clinic signs the claims (integrity: who issued them), then
// encrypts the signed token to the records service's public key (privacy: only it can read them).
// Anyone holding a signed-only token can read its payload; this one shows only its JWE header.
import {
  decodeProtectedHeader,
  decryptThenVerifyJWT,
  generateKeyPair,
  signThenEncryptJWT,
} from '@tessera/jose'

const clinic = await generateKeyPair('ES256', { kid: 'clinic-2026' }) // the issuer's signing key
const records = await generateKeyPair('ECDH-ES+A256KW', { crv: 'P-256', kid: 'records-enc-1' })

const token = await signThenEncryptJWT(
  { patient: 'p-1729', allergies: ['penicillin'], bloodType: 'O-' },
  {
    key: clinic.privateKey,
    alg: 'ES256',
    kid: 'clinic-2026',
    issuer: 'https://clinic.example',
    audience: 'https://records.example',
    expiresIn: '10m',
  },
  { key: records.publicKey, alg: 'ECDH-ES+A256KW', enc: 'A256GCM', kid: 'records-enc-1' },
)
const outer = decodeProtectedHeader(token)
console.log(`outer header: ${outer.alg} ${outer.enc} cty=${outer.cty}`)

// The records service: decrypt with its private key, then verify the clinic's signature and claims.
const { payload, protectedHeader } = await decryptThenVerifyJWT(
  token,
  {
    key: records.privateKey,
    keyManagementAlgorithms: ['ECDH-ES+A256KW'],
    contentEncryptionAlgorithms: ['A256GCM'],
  },
  {
    key: clinic.publicKey,
    algorithms: ['ES256'],
    issuer: 'https://clinic.example',
    audience: 'https://records.example',
  },
)
console.log(
  `signed by ${protectedHeader.kid}: patient ${payload.patient}, allergies ${payload.allergies.join(', ')}`,
)
