import type { JOSEHeaderParameters } from '../lib/header.js'
import type { Key } from '../lib/key.js'

export type { JOSEHeaderParameters as JWSHeaderParameters } from '../lib/header.js'

/** RFC 7515 §7.2.2: one signature, JSON members as transmitted. */
export interface FlattenedJWS {
  protected?: string
  header?: JOSEHeaderParameters
  payload: string
  signature: string
}

/** RFC 7515 §7.2.1: one payload, several signatures. */
export interface GeneralJWS {
  payload: string
  signatures: Array<{ protected?: string; header?: JOSEHeaderParameters; signature: string }>
}

export interface CompactVerifyResult {
  payload: Uint8Array
  protectedHeader: JOSEHeaderParameters
  key: Key
}

export interface FlattenedVerifyResult {
  payload: Uint8Array
  protectedHeader: JOSEHeaderParameters | undefined
  unprotectedHeader: JOSEHeaderParameters | undefined
  key: Key
}

export interface GeneralVerifyResult extends FlattenedVerifyResult {
  /** Which entry of `signatures` verified. */
  signatureIndex: number
}
