/** A JSON Web Key (RFC 7517), with the members of every key type this library supports. */
export interface JWK {
  kty?: string
  alg?: string
  use?: string
  key_ops?: string[]
  kid?: string
  ext?: boolean
  crv?: string
  x?: string
  y?: string
  d?: string
  n?: string
  e?: string
  p?: string
  q?: string
  dp?: string
  dq?: string
  qi?: string
  k?: string
  x5c?: string[]
  x5t?: string
  'x5t#S256'?: string
  x5u?: string
  [member: string]: unknown
}
