import type { Kysely } from 'kysely'
import type { Database } from './schema.js'
import type { DevicePatch, DeviceRecord, DeviceStatus } from './types.js'

type DeviceRow = Database['devices']

const toDevice = (row: DeviceRow): DeviceRecord => ({
  id: row.id,
  publicJwk: row.public_jwk,
  thumbprint: row.thumbprint,
  alg: row.alg,
  status: row.status as DeviceStatus,
  acl: row.acl,
  metadata: row.metadata,
  createdAt: Number(row.created_at),
  updatedAt: Number(row.updated_at),
})

/** The device registry's queries; KyselyStorage delegates to these, for both dialects. */
export async function insertDevice(db: Kysely<Database>, device: DeviceRecord): Promise<void> {
  await db
    .insertInto('devices')
    .values({
      id: device.id,
      public_jwk: device.publicJwk,
      thumbprint: device.thumbprint,
      alg: device.alg,
      status: device.status,
      acl: device.acl,
      metadata: device.metadata,
      created_at: device.createdAt,
      updated_at: device.updatedAt,
    })
    .execute()
}

export async function findDevice(db: Kysely<Database>, id: string): Promise<DeviceRecord | undefined> {
  const row = await db.selectFrom('devices').selectAll().where('id', '=', id).executeTakeFirst()
  return row ? toDevice(row) : undefined
}

export async function listDevices(db: Kysely<Database>): Promise<DeviceRecord[]> {
  return (await db.selectFrom('devices').selectAll().orderBy('created_at').orderBy('id').execute()).map(
    toDevice,
  )
}

export async function updateDevice(
  db: Kysely<Database>,
  id: string,
  patch: DevicePatch,
): Promise<DeviceRecord | undefined> {
  const set: Partial<DeviceRow> = { updated_at: patch.updatedAt }
  if (patch.status !== undefined) set.status = patch.status
  if (patch.acl !== undefined) set.acl = patch.acl
  if (patch.metadata !== undefined) set.metadata = patch.metadata
  const result = await db.updateTable('devices').set(set).where('id', '=', id).executeTakeFirst()
  if (Number(result.numUpdatedRows) !== 1) return undefined
  return findDevice(db, id)
}

export async function deleteDevice(db: Kysely<Database>, id: string): Promise<boolean> {
  const result = await db.deleteFrom('devices').where('id', '=', id).executeTakeFirst()
  return Number(result.numDeletedRows) === 1
}
