/** Kysely table types; column names are snake_case in both dialects. */
export interface Database {
  meta: { name: string; value: string }
  signing_keys: {
    kid: string
    alg: string
    state: string
    public_jwk: string
    sealed_private_key: string
    created_at: number
    activated_at: number | null
    retired_at: number | null
  }
  leases: { name: string; holder: string; expires_at: number }
  clients: {
    client_id: string
    metadata: string
    token_endpoint_auth_method: string
    secret_hash: string | null
    disabled: number
    created_at: number
  }
  revoked_tokens: { jti: string; expires_at: number }
  used_ids: { id: string; expires_at: number }
  counters: { key: string; count: number; expires_at: number }
  audit_log: { id: number | undefined; at: number; event: string; subject: string; detail: string }
  devices: {
    id: string
    public_jwk: string
    thumbprint: string
    alg: string
    status: string
    acl: string
    metadata: string
    created_at: number
    updated_at: number
  }
  refresh_families: {
    id: string
    client_id: string
    device_id: string
    audience: string
    created_at: number
    expires_at: number
    revoked_at: number | null
    revoke_reason: string | null
    user_id: string | null
    session_id: string | null
    scope: string | null
    auth_time: number | null
    amr: string | null
  }
  refresh_tokens: {
    hash: string
    family_id: string
    parent_hash: string | null
    issued_for: string | null
    generation: number
    issued_at: number
    idle_expires_at: number
    consumed_at: number | null
    consumed_reason: string | null
  }
  revocation_cutoffs: { kind: string; value: string; before_at: number; expires_at: number }
  users: {
    id: string
    email: string
    email_verified: number
    status: string
    created_at: number
    last_login_at: number | null
  }
  browser_sessions: {
    id: string
    secret_hash: string
    user_id: string
    auth_time: number
    amr: string
    csrf_token: string
    created_at: number
    last_seen_at: number
    idle_expires_at: number
    expires_at: number
    user_agent: string
    address: string
  }
  signin_flows: {
    id: string
    email: string
    return_to: string
    code_hash: string
    link_hash: string
    attempts: number
    issued_at: number
    expires_at: number
    consumed_at: number | null
    address: string
  }
  authorization_codes: {
    hash: string
    client_id: string
    user_id: string
    session_id: string
    redirect_uri: string
    scope: string
    nonce: string | null
    code_challenge: string
    auth_time: number
    /** JSON array. */
    amr: string
    created_at: number
    expires_at: number
    consumed_at: number | null
    replayed_at: number | null
    access_jti: string | null
    access_expires_at: number | null
    refresh_family_id: string | null
  }
  consents: { user_id: string; client_id: string; scope: string; granted_at: number }
  resources: {
    resource: string
    name: string
    jwks: string | null
    jwks_uri: string | null
    alg: string
    enc: string
    created_at: number
    updated_at: number
  }
  encrypted_tokens: { hash: string; kid: string; claims: string; expires_at: number }
  passkeys: {
    id: string
    user_id: string
    name: string
    public_jwk: string
    thumbprint: string
    cose_key: string
    alg: number
    sign_count: number
    transports: string
    aaguid: string
    backup_eligible: number
    backup_state: number
    user_verified: number
    created_at: number
    last_used_at: number | null
    revoked_at: number | null
  }
  passkey_challenges: {
    hash: string
    ceremony: string
    bound_to: string
    user_id: string | null
    created_at: number
    expires_at: number
    consumed_at: number | null
  }
}
